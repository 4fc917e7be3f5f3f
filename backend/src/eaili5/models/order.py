from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from eaili5.models.base import Base, Timestamps, UUIDPrimaryKey
from eaili5.models.holding import TOKEN_AMOUNT, USD
from eaili5.models.trade import PRICE
from eaili5.models.types import ExactDecimal

ORDER_STATUSES = ("open", "filled", "cancelled", "expired", "failed")
ORDER_TYPES = ("limit", "stop_loss", "take_profit")


class Order(UUIDPrimaryKey, Timestamps, Base):
    """A limit, stop-loss or take-profit order waiting for its trigger price.

    Nothing is reserved while it is open: when a price tick crosses `trigger_price` the polling
    instance fills it like a market order (same costs) and links the trade; if the cash or tokens
    are gone by then it ends `failed` with `failure_reason`. Amount: `usd_amount` (buy), or
    `token_amount` / `percent` of the holding at fill time (sell). Open orders of a run are
    cancelled by a reset.
    """

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("side IN ('buy', 'sell')", name="side_known"),
        CheckConstraint("type IN ('limit', 'stop_loss', 'take_profit')", name="type_known"),
        CheckConstraint(
            "status IN ('open', 'filled', 'cancelled', 'expired', 'failed')", name="status_known"
        ),
        CheckConstraint("token = lower(token)", name="token_lowercase"),
        UniqueConstraint("user_id", "idempotency_key", name="uq_orders_user_id_idempotency_key"),
        Index("ix_orders_status_token", "status", "token"),
        Index("ix_orders_portfolio_id_created_at", "portfolio_id", "created_at"),
        # The tick hook's expiry check, every second: only open orders, by expiry time.
        Index(
            "ix_orders_open_expires_at",
            "expires_at",
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    portfolio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("portfolios.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(4))
    token: Mapped[str] = mapped_column(String(42))
    symbol: Mapped[str] = mapped_column(String(32))
    trigger_price: Mapped[Decimal] = mapped_column(PRICE)
    usd_amount: Mapped[Decimal | None] = mapped_column(USD, default=None)
    token_amount: Mapped[Decimal | None] = mapped_column(TOKEN_AMOUNT, default=None)
    percent: Mapped[Decimal | None] = mapped_column(ExactDecimal(8, 4), default=None)
    status: Mapped[str] = mapped_column(String(16), default="open")
    expires_at: Mapped[datetime]
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    failure_reason: Mapped[str | None] = mapped_column(String(300), default=None)
    trade_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("trades.id", ondelete="SET NULL"), default=None
    )
