from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric
from sqlalchemy.orm import Mapped, mapped_column

from eaili5.models.base import Base, Timestamps, UUIDPrimaryKey

STARTING_BALANCE_USD = Decimal("100.00")


class Portfolio(UUIDPrimaryKey, Timestamps, Base):
    """A play-money portfolio. `balance` is the cash in virtual USD; it can never go negative."""

    __tablename__ = "portfolios"
    __table_args__ = (CheckConstraint("balance >= 0", name="balance_non_negative"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    balance: Mapped[Decimal] = mapped_column(
        Numeric(18, 8), default=STARTING_BALANCE_USD, server_default="100.00"
    )
