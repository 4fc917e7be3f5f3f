from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator

from eaili5.market.address import to_checksum_address

ReadingLevel = Literal["eli5", "simple", "pro"]
_TIME_ZONES = frozenset(available_timezones())


class Preferences(BaseModel):
    """What a user can set about themselves. Every field has a safe default."""

    model_config = ConfigDict(extra="forbid")

    reading_level: ReadingLevel = Field(default="eli5", description="How simply the tutor explains.")
    time_zone: str = Field(
        default="UTC", max_length=64, description="IANA zone, e.g. 'Europe/Paris'; streaks use it."
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in _TIME_ZONES:
            raise ValueError("unknown time zone: use an IANA name such as 'America/New_York'")
        return value


class PreferencesUpdate(BaseModel):
    """A partial update: only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    reading_level: ReadingLevel | None = None
    time_zone: str | None = Field(default=None, max_length=64)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return None if value is None else Preferences._known_zone(value)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    wallet_address: str | None = Field(
        description="The signed-in wallet, EIP-55 spelled (stored lowercase), or null for a guest."
    )
    is_guest: bool = Field(description="True until the user signs in with a wallet.")
    farcaster_fid: int | None = Field(
        default=None, description="The Farcaster ID linked by Quick Auth (POST /api/auth/farcaster), if any."
    )
    created_at: datetime
    preferences: Preferences

    @field_validator("wallet_address")
    @classmethod
    def _checksummed(cls, value: str | None) -> str | None:
        return None if value is None else to_checksum_address(value)

    @field_validator("preferences", mode="before")
    @classmethod
    def _fill_defaults(cls, value: object) -> object:
        return value or {}


class SessionCreated(BaseModel):
    token: str = Field(description="Opaque bearer token. Send it as `Authorization: Bearer <token>`.")
    expires_at: datetime
    user: UserOut
