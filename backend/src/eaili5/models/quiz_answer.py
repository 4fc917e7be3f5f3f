from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eaili5.models.base import Base, UUIDPrimaryKey, utcnow


class QuizAnswer(UUIDPrimaryKey, Base):
    """One graded answer within an attempt. A question is answered once per attempt (unique)."""

    __tablename__ = "quiz_answers"
    __table_args__ = (
        UniqueConstraint("attempt_id", "question_id", name="uq_quiz_answers_attempt_id_question_id"),
        # Weak-topic recommendations read a user's answers.
        Index("ix_quiz_answers_user_id_answered_at", "user_id", "answered_at"),
    )

    attempt_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(120))
    # {"ids": [...]}: the chosen option ids, sorted.
    chosen: Mapped[dict[str, Any]]
    correct: Mapped[bool]
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
