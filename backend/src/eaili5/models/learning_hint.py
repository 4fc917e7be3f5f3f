from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eaili5.models.base import Base, UUIDPrimaryKey, utcnow


class LearningHint(UUIDPrimaryKey, Base):
    """A recommendation caused by something the user did elsewhere (e.g. a practice trade).

    One row per (user, reason, target): a repeat of the event refreshes `created_at` and `detail`.
    A hint stops showing once its lesson (or every lesson of its path) is completed.
    """

    __tablename__ = "learning_hints"
    __table_args__ = (
        CheckConstraint("target_kind IN ('lesson', 'path')", name="target_kind_known"),
        UniqueConstraint("user_id", "reason", "target", name="uq_learning_hints_user_id_reason_target"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(40))
    target_kind: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
