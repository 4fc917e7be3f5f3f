from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eaili5.models.base import Base, UUIDPrimaryKey, utcnow


class UserBadge(UUIDPrimaryKey, Base):
    """A badge a user earned (learning.badges defines them). Earned once, never taken away."""

    __tablename__ = "user_badges"
    __table_args__ = (UniqueConstraint("user_id", "badge", name="uq_user_badges_user_id_badge"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    badge: Mapped[str] = mapped_column(String(40))
    earned_at: Mapped[datetime] = mapped_column(default=utcnow)
