"""Market data shapes. Money and prices are `Decimal`, written to JSON as plain decimal strings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer, field_validator

from eaili5.market.address import is_checksum_address


def _plain_decimal(value: Decimal) -> str:
    # str(Decimal) switches to exponent notation for tiny memecoin prices ("3.0E-7"); clients want digits.
    return format(value, "f")


DecimalStr = Annotated[Decimal, PlainSerializer(_plain_decimal, return_type=str, when_used="json")]
VolatilityClass = Literal["stablecoin", "blue_chip", "mid_cap", "memecoin", "new_illiquid"]
MarketSource = Literal["simulated", "geckoterminal", "dexscreener", "bitquery", "coingecko"]


class Timeframe(StrEnum):
    M1 = "1m"
    M5 = "5m"
    M15 = "15m"
    H1 = "1h"
    H4 = "4h"
    H12 = "12h"
    D1 = "1d"

    @property
    def seconds(self) -> int:
        return _TIMEFRAME_SECONDS[self]


_TIMEFRAME_SECONDS = {
    Timeframe.M1: 60,
    Timeframe.M5: 300,
    Timeframe.M15: 900,
    Timeframe.H1: 3600,
    Timeframe.H4: 14400,
    Timeframe.H12: 43200,
    Timeframe.D1: 86400,
}


def _require_checksum(value: str | None) -> str | None:
    if value is not None and not is_checksum_address(value):
        raise ValueError("address must be 0x + 40 hex digits in its EIP-55 checksum spelling")
    return value


class Pool(BaseModel):
    """A token's main trading pool. `address` is null when we know no real pool for the token."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    address: str | None
    dex: str
    fee_tier_bps: int = Field(ge=0, le=10_000)
    quote_symbol: str
    liquidity_usd: DecimalStr = Field(ge=0)
    volume_24h_usd: DecimalStr = Field(ge=0)
    created_at: date
    is_placeholder: bool = Field(description="DEX, fee tier and quote are plausible guesses, not facts.")
    stats_are_placeholders: bool = Field(description="Liquidity, volume and creation date are guesses.")

    _checksum = field_validator("address")(_require_checksum)


class Token(BaseModel):
    """Static facts about a token (from the shipped snapshot or a vendor's token list)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    address: str
    symbol: str
    name: str
    decimals: int = Field(ge=0, le=18)
    category: str
    volatility_class: VolatilityClass
    reference_price_usd: DecimalStr = Field(gt=0, description="For stablecoins: the peg, in USD.")
    price_is_placeholder: bool
    price_source: str | None = None
    price_date: str | None = None
    main_pool: Pool
    sources: list[str] = Field(min_length=1)
    note: str | None = None

    _checksum = field_validator("address")(_require_checksum)


class PriceTick(BaseModel):
    """A token's price and 24h stats at one moment, with where it came from."""

    model_config = ConfigDict(frozen=True)

    address: str
    price_usd: DecimalStr
    # Not every vendor reports these; None means "unknown", never zero.
    change_24h_pct: DecimalStr | None
    volume_24h_usd: DecimalStr | None
    liquidity_usd: DecimalStr | None
    as_of: AwareDatetime
    source: MarketSource
    stale: bool = False
    change_1h_pct: DecimalStr | None = None
    fdv_usd: DecimalStr | None = None
    market_cap_usd: DecimalStr | None = None
    transactions_24h: int | None = Field(default=None, ge=0)
    pool_address: str | None = Field(default=None, description="The pool the price was read from.")

    @field_validator("as_of")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


Quote = PriceTick


class Candle(BaseModel):
    """One OHLCV bar; `t` is its open time in unix seconds, `v` its traded volume in USD."""

    model_config = ConfigDict(frozen=True)

    t: int
    o: DecimalStr
    h: DecimalStr
    l: DecimalStr  # noqa: E741 - OHLCV's conventional one-letter names are the wire format
    c: DecimalStr
    v: DecimalStr


class MarketTrade(BaseModel):
    """One swap of the token on a Base DEX. `side` is from the token's view (a buy takes it out of the pool);
    null when the source does not say."""

    model_config = ConfigDict(frozen=True)

    at: AwareDatetime
    side: Literal["buy", "sell"] | None
    price_usd: DecimalStr
    amount: DecimalStr = Field(description="Tokens traded")
    amount_usd: DecimalStr
    dex: str | None


# --- API shapes ------------------------------------------------------------------------------


class SortOrder(StrEnum):
    TRENDING = "trending"
    VOLUME = "volume"
    LIQUIDITY = "liquidity"
    GAINERS = "gainers"
    LOSERS = "losers"
    NEW = "new"


class PoolRef(BaseModel):
    address: str | None
    dex: str
    fee_tier_bps: int


class RiskFlagOut(BaseModel):
    code: str
    level: Literal["warning", "danger"]
    title: str
    explanation: str


class TokenSummary(BaseModel):
    """One row of the token list: static facts, the latest tick and its risk flags."""

    address: str
    symbol: str
    name: str
    logo_url: str | None = None
    decimals: int
    volatility_class: VolatilityClass
    price_usd: DecimalStr | None
    change_1h_pct: DecimalStr | None
    change_24h_pct: DecimalStr | None
    volume_24h_usd: DecimalStr | None
    liquidity_usd: DecimalStr | None
    fdv_usd: DecimalStr | None
    market_cap_usd: DecimalStr | None
    transactions_24h: int | None
    main_pool: PoolRef
    pool_created_at: date
    pool_age_days: int
    risk_flags: list[RiskFlagOut]
    source: MarketSource | None
    as_of: AwareDatetime | None
    stale: bool


class TokenDetail(TokenSummary):
    category: str
    note: str | None
    sources: list[str] = Field(description="Where the token's static facts come from.")
    price_is_placeholder: bool = Field(description="The simulated reference price is an estimate.")
    stats_are_placeholders: bool = Field(description="Pool liquidity/volume/age seeds are estimates.")


class TokenList(BaseModel):
    items: list[TokenSummary]
    next_cursor: str | None
    source: MarketSource
    as_of: AwareDatetime | None
    stale: bool


class CandleSeries(BaseModel):
    address: str
    timeframe: Timeframe
    source: MarketSource
    as_of: AwareDatetime
    candles: list[Candle]


class RecentTrades(BaseModel):
    address: str
    source: MarketSource
    as_of: AwareDatetime
    trades: list[MarketTrade] = Field(description="Newest first")


class SourceStatus(BaseModel):
    name: MarketSource
    last_success_at: AwareDatetime | None
    last_error: str | None
    backing_off: bool = Field(description="The vendor answered 429; we wait before calling again.")
    budget_per_minute: int | None
    budget_remaining: int | None


class MarketStatus(BaseModel):
    active_source: MarketSource | None
    poller_instance: str | None = Field(description="The instance polling prices now, if any.")
    sources: list[SourceStatus]
