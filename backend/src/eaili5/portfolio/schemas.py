"""Portfolio API shapes. Money and token amounts are `Decimal`, sent as plain decimal strings."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from eaili5.market.schemas import DecimalStr, MarketSource, RiskFlagOut

Side = Literal["buy", "sell"]


class TradeRequest(BaseModel):
    """Buy by `usd_amount`; sell by `token_amount` or by `percent` of the holding."""

    model_config = ConfigDict(extra="forbid")

    side: Side
    token: str = Field(min_length=1, max_length=64, description="The token's 0x address")
    usd_amount: Annotated[Decimal | None, Field(gt=0, max_digits=12, decimal_places=2)] = Field(
        default=None, description="Buy: USD to spend, in cents precision (gas and fees come out of it)."
    )
    token_amount: Annotated[Decimal | None, Field(gt=0, max_digits=40)] = Field(
        default=None, description="Sell: how many tokens, at most the token's decimals."
    )
    percent: Annotated[Decimal | None, Field(gt=0, le=100, decimal_places=4)] = Field(
        default=None, description="Sell: this percentage of the holding (100 sells everything)."
    )

    @model_validator(mode="after")
    def _one_amount(self) -> Self:
        if self.side == "buy" and (self.usd_amount is None or self.token_amount or self.percent):
            raise ValueError("a buy takes usd_amount only")
        if self.side == "sell" and (
            self.usd_amount is not None or (self.token_amount is None) == (self.percent is None)
        ):
            raise ValueError("a sell takes exactly one of token_amount or percent")
        return self


OrderType = Literal["market", "limit", "stop_loss", "take_profit"]
ConditionalType = Literal["limit", "stop_loss", "take_profit"]
OrderStatus = Literal["open", "filled", "cancelled", "expired", "failed"]


class OrderIn(TradeRequest):
    type: OrderType = Field(
        default="market",
        description="market fills now; limit (buy or sell), stop_loss and take_profit (sell) wait for "
        "trigger_price.",
    )
    min_amount_out: Annotated[Decimal | None, Field(ge=0)] = Field(
        default=None,
        description="Market orders: refuse the fill if it would give less than this (e.g. the quote's "
        "minimum_received).",
    )
    trigger_price: Annotated[Decimal | None, Field(gt=0, max_digits=38, decimal_places=18)] = Field(
        default=None,
        description="USD per token. Buy limit: fills when the price is at or below it; sell limit and "
        "take-profit: at or above; stop-loss: at or below.",
    )
    expires_in_hours: Annotated[int | None, Field(ge=1, le=2160)] = Field(
        default=None, description="Waiting orders only: expire after this many hours (default 168)."
    )

    @model_validator(mode="after")
    def _fits_the_type(self) -> Self:
        if self.type == "market":
            if self.trigger_price is not None or self.expires_in_hours is not None:
                raise ValueError("a market order takes no trigger_price or expires_in_hours")
            return self
        if self.trigger_price is None:
            raise ValueError(f"a {self.type} order needs a trigger_price")
        if self.type in ("stop_loss", "take_profit") and self.side != "sell":
            raise ValueError(f"a {self.type} order sells: side must be 'sell'")
        if self.min_amount_out is not None:
            raise ValueError("min_amount_out is for market orders only")
        return self


class Amount(BaseModel):
    amount: DecimalStr
    unit: str = Field(description="'USD' or the token's symbol")


class QuoteOut(BaseModel):
    side: Side
    token: str
    symbol: str
    decimals: int
    you_pay: Amount
    you_get: Amount
    minimum_received: Amount
    price_usd: DecimalStr = Field(description="The market (mid) price used.")
    fill_price: DecimalStr = Field(description="USD per token for this trade, every cost included.")
    pool_fee_usd: DecimalStr
    pool_fee_bps: int
    price_impact_pct: DecimalStr
    price_impact_usd: DecimalStr
    gas_usd: DecimalStr
    slippage_bps: int
    explanations: dict[str, str]
    warnings: list[RiskFlagOut]
    price_source: MarketSource
    as_of: AwareDatetime


class TradeOut(BaseModel):
    id: uuid.UUID
    side: Side
    token: str
    symbol: str
    amount_in: Amount
    amount_out: Amount
    token_amount: DecimalStr
    usd_amount: DecimalStr
    price_usd: DecimalStr
    fill_price: DecimalStr
    pool_fee_usd: DecimalStr
    price_impact_pct: DecimalStr
    gas_usd: DecimalStr
    cost_basis_usd: DecimalStr = Field(description="Basis added (buy) or removed (sell).")
    realized_pnl_usd: DecimalStr | None
    price_source: str
    price_as_of: AwareDatetime
    created_at: AwareDatetime


class OrderOut(BaseModel):
    id: uuid.UUID
    type: ConditionalType
    side: Side
    token: str
    symbol: str
    trigger_price: DecimalStr
    usd_amount: DecimalStr | None = Field(description="Buy: USD to spend.")
    token_amount: DecimalStr | None = Field(description="Sell: how many tokens.")
    percent: DecimalStr | None = Field(description="Sell: share of the holding at fill time.")
    status: OrderStatus
    description: str = Field(description="What the order does, in plain words.")
    failure_reason: str | None = Field(description="Why a triggered order could not fill (status failed).")
    trade: TradeOut | None = Field(description="The fill, once filled.")
    expires_at: AwareDatetime
    created_at: AwareDatetime
    closed_at: AwareDatetime | None


class OrderPage(BaseModel):
    items: list[OrderOut]


class OrderResult(BaseModel):
    trade: TradeOut | None = Field(description="Market orders: the fill.")
    order: OrderOut | None = Field(default=None, description="Limit, stop-loss and take-profit: the order.")
    replayed: bool = Field(description="True when this Idempotency-Key was already used: nothing new traded.")


class HoldingOut(BaseModel):
    token: str
    symbol: str
    decimals: int
    amount: DecimalStr
    cost_basis_usd: DecimalStr
    average_cost_usd: DecimalStr
    price_usd: DecimalStr | None
    value_usd: DecimalStr | None
    unrealized_pnl_usd: DecimalStr | None
    unrealized_pnl_pct: DecimalStr | None
    share_pct: DecimalStr | None = Field(description="Share of the portfolio's total value.")
    price_as_of: AwareDatetime | None
    stale: bool


class PortfolioOut(BaseModel):
    run: int
    started_at: AwareDatetime
    starting_cash_usd: DecimalStr
    cash_usd: DecimalStr
    holdings: list[HoldingOut]
    holdings_value_usd: DecimalStr
    cost_basis_usd: DecimalStr
    total_value_usd: DecimalStr
    total_return_pct: DecimalStr
    unrealized_pnl_usd: DecimalStr
    realized_pnl_usd: DecimalStr
    max_drawdown_pct: DecimalStr = Field(
        description="The biggest fall from a high point of total value in this run, in % (from snapshots)."
    )
    as_of: AwareDatetime


class TradePage(BaseModel):
    items: list[TradeOut]
    next_cursor: str | None


EquityRange = Literal["1d", "7d", "30d", "all"]


class EquityPoint(BaseModel):
    t: AwareDatetime
    total_value_usd: DecimalStr
    cash_usd: DecimalStr
    kind: Literal["start", "trade", "periodic", "now"] = Field(
        description="start: the run began at $100; trade/periodic: a stored snapshot; now: live value."
    )


class EquityOut(BaseModel):
    range: EquityRange
    run: int
    points: list[EquityPoint] = Field(description="Oldest first.")
    max_drawdown_pct: DecimalStr
    as_of: AwareDatetime


LeaderboardPeriod = Literal["week", "all"]
LeaderboardSort = Literal["return", "score"]


class TradingLeaderboardEntry(BaseModel):
    rank: int
    display_name: str
    return_pct: DecimalStr
    risk_adjusted_score: DecimalStr = Field(description="Return % divided by max drawdown % (at least 1).")
    max_drawdown_pct: DecimalStr
    trades: int
    total_value_usd: DecimalStr
    is_you: bool


class TradingLeaderboardYou(BaseModel):
    qualified: bool
    trades: int
    trades_needed: int = Field(description="More trades needed to be ranked (0 when qualified).")
    entry: TradingLeaderboardEntry | None


class TradingLeaderboard(BaseModel):
    period: LeaderboardPeriod
    sort: LeaderboardSort
    min_trades: int
    ranked: int = Field(description="How many players qualify.")
    entries: list[TradingLeaderboardEntry]
    you: TradingLeaderboardYou
    as_of: AwareDatetime
