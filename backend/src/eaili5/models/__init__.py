"""Every ORM model, imported here so Alembic and the metadata see all tables."""

from eaili5.models.activity_day import ActivityDay
from eaili5.models.base import Base
from eaili5.models.conversation import Conversation
from eaili5.models.equity_snapshot import EquitySnapshot
from eaili5.models.holding import Holding
from eaili5.models.learning_hint import LearningHint
from eaili5.models.message import Message
from eaili5.models.order import Order
from eaili5.models.portfolio import Portfolio
from eaili5.models.quiz_answer import QuizAnswer
from eaili5.models.quiz_attempt import QuizAttempt
from eaili5.models.review_card import ReviewCard
from eaili5.models.session import Session
from eaili5.models.trade import Trade
from eaili5.models.user import User
from eaili5.models.user_badge import UserBadge
from eaili5.models.user_progress import UserProgress
from eaili5.models.xp_award import XpAward

__all__ = [
    "ActivityDay",
    "Base",
    "Conversation",
    "EquitySnapshot",
    "Holding",
    "LearningHint",
    "Message",
    "Order",
    "Portfolio",
    "QuizAnswer",
    "QuizAttempt",
    "ReviewCard",
    "Session",
    "Trade",
    "User",
    "UserBadge",
    "UserProgress",
    "XpAward",
]
