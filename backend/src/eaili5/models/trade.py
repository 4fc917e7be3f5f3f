from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eaili5.models.base import Base, UUIDPrimaryKey, utcnow
from eaili5.models.holding import TOKEN_AMOUNT, USD
from eaili5.models.types import ExactDecimal

PRICE = ExactDecimal(38, 18)  # USD per token: memecoins trade at 0.0000003
PERCENT = ExactDecimal(12, 6)


class Trade(UUIDPrimaryKey, Base):
    """One filled market order: what moved, at what price, with which costs, from which price tick.

    `usd_amount` is the cash that moved (paid on a buy, received on a sell); `cost_basis_usd` is the
    basis added (buy: equal to usd_amount) or removed (sell); `realized_pnl_usd` is set on sells only.
    The idempotency key is unique per user (not per run), so a retry after a reset cannot trade again.
    """

    __tablename__ = "trades"
    __table_args__ = (
        CheckConstraint("side IN ('buy', 'sell')", name="side_known"),
        CheckConstraint("token = lower(token)", name="token_lowercase"),
        UniqueConstraint("user_id", "idempotency_key", name="uq_trades_user_id_idempotency_key"),
        Index("ix_trades_portfolio_id_created_at", "portfolio_id", "created_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    portfolio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("portfolios.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(4))
    token: Mapped[str] = mapped_column(String(42))
    symbol: Mapped[str] = mapped_column(String(32))
    token_amount: Mapped[Decimal] = mapped_column(TOKEN_AMOUNT)
    usd_amount: Mapped[Decimal] = mapped_column(USD)
    price_usd: Mapped[Decimal] = mapped_column(PRICE)
    fill_price: Mapped[Decimal] = mapped_column(PRICE)
    pool_fee_usd: Mapped[Decimal] = mapped_column(USD)
    price_impact_pct: Mapped[Decimal] = mapped_column(PERCENT)
    gas_usd: Mapped[Decimal] = mapped_column(USD)
    cost_basis_usd: Mapped[Decimal] = mapped_column(USD)
    realized_pnl_usd: Mapped[Decimal | None] = mapped_column(USD, default=None)
    price_source: Mapped[str] = mapped_column(String(32))
    price_as_of: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
