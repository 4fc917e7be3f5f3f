from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eaili5.models.base import Base, UUIDPrimaryKey, utcnow


class QuizAttempt(UUIDPrimaryKey, Base):
    """One try at a lesson's quiz. It is finished (score set) once every question has an answer.

    `number` counts a user's attempts at one lesson from 1; its unique constraint means two concurrent
    "new attempt" requests cannot both become attempt 1 (which earns the first-try bonus).
    """

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("score_pct IS NULL OR (score_pct >= 0 AND score_pct <= 100)", name="score_range"),
        # Also serves lookups by user and by user + lesson.
        UniqueConstraint("user_id", "lesson_id", "number", name="uq_quiz_attempts_user_id_lesson_id_number"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lesson_id: Mapped[str] = mapped_column(String(100))
    number: Mapped[int]
    question_count: Mapped[int]
    correct_count: Mapped[int] = mapped_column(default=0)
    score_pct: Mapped[int | None] = mapped_column(default=None)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
