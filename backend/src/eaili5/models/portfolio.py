from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eaili5.models.base import Base, Timestamps, UUIDPrimaryKey

STARTING_BALANCE_USD = Decimal("100.00")


class Portfolio(UUIDPrimaryKey, Timestamps, Base):
    """A play-money portfolio run. `balance` is the cash in virtual USD; it can never go negative.

    A reset archives the current run (`archived_at` set) and starts run + 1 at $100; a user's current
    portfolio is their one row with `archived_at` NULL. Old runs keep their trades.
    """

    __tablename__ = "portfolios"
    __table_args__ = (
        CheckConstraint("balance >= 0", name="balance_non_negative"),
        CheckConstraint("run >= 1", name="run_positive"),
        # Also serves lookups by user: no separate index on user_id.
        UniqueConstraint("user_id", "run", name="uq_portfolios_user_id_run"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    balance: Mapped[Decimal] = mapped_column(
        Numeric(18, 8), default=STARTING_BALANCE_USD, server_default="100.00"
    )
    run: Mapped[int] = mapped_column(default=1, server_default="1")
    archived_at: Mapped[datetime | None] = mapped_column(default=None)
