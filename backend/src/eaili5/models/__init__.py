"""Every ORM model, imported here so Alembic and the metadata see all tables."""

from eaili5.models.base import Base
from eaili5.models.conversation import Conversation
from eaili5.models.holding import Holding
from eaili5.models.message import Message
from eaili5.models.portfolio import Portfolio
from eaili5.models.session import Session
from eaili5.models.trade import Trade
from eaili5.models.user import User
from eaili5.models.user_progress import UserProgress

__all__ = [
    "Base",
    "Conversation",
    "Holding",
    "Message",
    "Portfolio",
    "Session",
    "Trade",
    "User",
    "UserProgress",
]
