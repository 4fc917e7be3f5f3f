from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eaili5.models.base import Base, UUIDPrimaryKey, utcnow


class UserProgress(UUIDPrimaryKey, Base):
    """Per-topic learning progress (the seed schema); the learning feature builds on it."""

    __tablename__ = "user_progress"
    __table_args__ = (UniqueConstraint("user_id", "topic", name="uq_user_progress_user_id_topic"),)

    # The unique (user_id, topic) index also serves lookups by user: no separate index needed.
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(100))
    completed: Mapped[bool] = mapped_column(default=False)
    score: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
