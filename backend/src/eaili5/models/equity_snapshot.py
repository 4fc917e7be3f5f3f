from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from eaili5.models.base import Base, UUIDPrimaryKey, utcnow
from eaili5.models.holding import USD


class EquitySnapshot(UUIDPrimaryKey, Base):
    """A portfolio run's total value (cash + holdings at the prices of the moment) at one time.

    Taken after every trade (`trade`) and periodically by the polling instance (`periodic`); the
    equity chart, max drawdown and the leaderboard read them.
    """

    __tablename__ = "equity_snapshots"
    __table_args__ = (
        CheckConstraint("reason IN ('trade', 'periodic')", name="reason_known"),
        Index("ix_equity_snapshots_portfolio_id_taken_at", "portfolio_id", "taken_at"),
    )

    portfolio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("portfolios.id", ondelete="CASCADE"))
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
    total_value_usd: Mapped[Decimal] = mapped_column(USD)
    cash_usd: Mapped[Decimal] = mapped_column(USD)
    reason: Mapped[str] = mapped_column(String(8))
