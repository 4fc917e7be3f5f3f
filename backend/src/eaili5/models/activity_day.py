from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eaili5.models.base import Base, UUIDPrimaryKey, utcnow


class ActivityDay(UUIDPrimaryKey, Base):
    """A local calendar day on which a user learned (lesson, quiz answer or review): streaks count these.

    `day` is the date in the time zone the client sent at the time (recorded in `time_zone`).
    """

    __tablename__ = "activity_days"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_activity_days_user_id_day"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date]
    time_zone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
