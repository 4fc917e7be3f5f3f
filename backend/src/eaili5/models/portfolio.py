from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eaili5.models.base import Base, Timestamps, UUIDPrimaryKey
from eaili5.models.holding import USD

STARTING_BALANCE_USD = Decimal("100.00")


class Portfolio(UUIDPrimaryKey, Timestamps, Base):
    """A play-money portfolio run. `balance` is the cash in virtual USD; it can never go negative.

    A reset archives the current run (`archived_at` set) and starts run + 1 at $100; a user's current
    portfolio is their one row with `archived_at` NULL. Old runs keep their trades.

    Running figures, so the portfolio view reads one row instead of the run's whole history: they fold
    the run's equity snapshots and trades in, in the transaction that writes each one
    (`portfolio.equity.snapshot`). Over the values [$100, *snapshots]: `peak_value_usd` is the highest,
    and `fall_peak_usd` / `fall_low_usd` the (running peak, value) pair of the worst fall so far (NULL
    until the value first stays at or below its peak), kept as a pair, not a percentage, so PostgreSQL
    can compare falls exactly in SQL. `realized_pnl_usd` is the sum of the run's realized P&L (NULL
    while it has sold nothing). `folded_at` is the `taken_at` of the last snapshot folded in (NULL: none
    yet): the order check of `portfolio.equity.snapshot`.
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
    peak_value_usd: Mapped[Decimal] = mapped_column(
        USD, default=STARTING_BALANCE_USD, server_default="100.00000000"
    )
    fall_peak_usd: Mapped[Decimal | None] = mapped_column(USD, default=None)
    fall_low_usd: Mapped[Decimal | None] = mapped_column(USD, default=None)
    realized_pnl_usd: Mapped[Decimal | None] = mapped_column(USD, default=None)
    folded_at: Mapped[datetime | None] = mapped_column(default=None)
