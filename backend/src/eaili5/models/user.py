from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from eaili5.models.base import Base, Timestamps, UUIDPrimaryKey


class User(UUIDPrimaryKey, Timestamps, Base):
    """A person using EAILI5: a guest (no wallet) until they sign in with a wallet."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("wallet_address = lower(wallet_address)", name="wallet_address_lowercase"),
    )

    # Lowercase 0x-address; NULL for guests. Unique so one wallet is one user.
    wallet_address: Mapped[str | None] = mapped_column(String(42), unique=True, default=None)
    # Farcaster ID linked by Quick Auth (POST /api/auth/farcaster); NULL when none. Unique: one FID, one user.
    farcaster_fid: Mapped[int | None] = mapped_column(BigInteger, unique=True, index=True, default=None)
    # Small, user-editable settings (reading level, time zone); validated by auth.schemas.Preferences.
    preferences: Mapped[dict[str, Any]] = mapped_column(default=dict)

    @property
    def is_guest(self) -> bool:
        return self.wallet_address is None
