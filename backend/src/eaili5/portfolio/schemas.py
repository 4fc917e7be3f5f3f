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


class OrderIn(TradeRequest):
    type: Literal["market"] = Field(default="market", description="Only market orders for now.")
    min_amount_out: Annotated[Decimal | None, Field(ge=0)] = Field(
        default=None,
        description="Refuse the fill if it would give less than this (e.g. the quote's minimum_received).",
    )


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


class OrderResult(BaseModel):
    trade: TradeOut
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
    as_of: AwareDatetime


class TradePage(BaseModel):
    items: list[TradeOut]
    next_cursor: str | None
