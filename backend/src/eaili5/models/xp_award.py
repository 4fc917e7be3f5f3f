from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eaili5.models.base import Base, UUIDPrimaryKey, utcnow


class XpAward(UUIDPrimaryKey, Base):
    """The XP ledger: one row per award. A user's XP is the sum of their rows.

    `key` names what the award is for ("lesson:<id>", "question:<id>", "first-try:<lesson>",
    "streak:<local date>"); unique per user, so nothing is awarded twice, even by concurrent requests.
    """

    __tablename__ = "xp_awards"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        UniqueConstraint("user_id", "key", name="uq_xp_awards_user_id_key"),
        # The weekly leaderboard sums awards since a moment.
        Index("ix_xp_awards_created_at", "created_at"),
        # A quiz result reads its attempt's awards; deleting an attempt nulls them (foreign key).
        Index("ix_xp_awards_attempt_id", "attempt_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(160))
    reason: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int]
    detail: Mapped[str | None] = mapped_column(String(120), default=None)
    # The quiz attempt that earned it, so a results screen can show the attempt's whole XP.
    attempt_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("quiz_attempts.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
