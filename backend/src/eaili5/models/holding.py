from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eaili5.models.base import Base, Timestamps, UUIDPrimaryKey
from eaili5.models.types import ExactDecimal

# 20 integer digits and 18 decimals: a trillion-token memecoin bag to the last wei.
TOKEN_AMOUNT = ExactDecimal(38, 18)
USD = ExactDecimal(18, 8)


class Holding(UUIDPrimaryKey, Timestamps, Base):
    """How much of one token a portfolio holds, and what it cost (average-cost accounting).

    `cost_basis_usd` is everything paid for the tokens still held, fees and gas included; a sell removes
    the sold share of it. A fully sold holding stays as a zero row (amount 0, basis 0).
    """

    __tablename__ = "holdings"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_non_negative"),
        CheckConstraint("cost_basis_usd >= 0", name="cost_basis_non_negative"),
        CheckConstraint("token = lower(token)", name="token_lowercase"),
        UniqueConstraint("portfolio_id", "token", name="uq_holdings_portfolio_id_token"),
    )

    portfolio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("portfolios.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(42))
    amount: Mapped[Decimal] = mapped_column(TOKEN_AMOUNT)
    cost_basis_usd: Mapped[Decimal] = mapped_column(USD)
