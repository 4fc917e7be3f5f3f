"""Pricing rules for play-money market orders: pure functions on exact `Decimal`s.

The pool model (constant product, x·y = k). A pool with total liquidity L USD holds about L/2 USD of
value on each side, so at mid price P:  X = L/2 (USD side) and Y = X / P (token side).
Swapping an input a (after the pool fee) into a side holding R_in gives, from the other side R_out:

    out = R_out · a / (R_in + a)

- Buy with u USD:  x_in = u − gas;  fee = x_in · f;  a = x_in − fee;  tokens = Y · a / (X + a).
- Sell q tokens:   fee_tokens = q · f;  a = q − fee_tokens;  usd = X · a / (Y + a);  received = usd − gas.
- Price impact % = a / (R_in + a) · 100: the share of the no-impact amount the trade's own size costs.
- f is the pool's fee tier (bps / 10,000); the fee is taken from the input, as Uniswap-style pools do.

Rounding (the user never gains from rounding):
- What the user pays is exactly the USD amount they chose (cents; more decimals are refused).
- What the user receives is rounded DOWN: tokens to the token's decimals, USD to the cent.
- Minimum received = received · (1 − slippage tolerance), rounded DOWN the same way.
- Informational figures that move no money (pool fee and impact in USD, fill price, impact %) are
  rounded half-even to the scale they are stored with (8 decimals for USD, 18 for prices, 6 for %).
- Average cost: a sell removes basis · sold / held, half-even to 8 decimals (all of it on a full sell);
  the rest stays on the holding, so cash + basis of holdings = 100 + realized P&L holds exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, localcontext
from typing import Literal

CENT = Decimal("0.01")
USD_SCALE = Decimal("0.00000001")
PRICE_SCALE = Decimal("1E-18")
PERCENT_SCALE = Decimal("0.000001")
BPS = Decimal(10_000)
HUNDRED = Decimal(100)
_PRECISION = 80  # digits: far beyond 38-digit columns, so only the explicit quantizes round


class PricingError(ValueError):
    """A trade the rules refuse; `code` tells the service which error to raise."""

    def __init__(self, code: Literal["too_small", "no_liquidity"], message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class PoolState:
    """What a fill needs to know about the market right now."""

    price_usd: Decimal
    liquidity_usd: Decimal
    fee_tier_bps: int
    decimals: int

    @property
    def usd_reserve(self) -> Decimal:
        return self.liquidity_usd / 2

    @property
    def token_reserve(self) -> Decimal:
        return self.usd_reserve / self.price_usd


@dataclass(frozen=True)
class Costs:
    gas_usd: Decimal
    slippage_bps: int
    min_trade_usd: Decimal


@dataclass(frozen=True)
class Fill:
    side: Literal["buy", "sell"]
    usd_amount: Decimal  # paid (buy) or received (sell): the cash that moves
    token_amount: Decimal  # received (buy) or sold (sell): the tokens that move
    price_usd: Decimal  # the mid price the fill was computed from
    fill_price: Decimal  # usd_amount / token_amount, everything included
    pool_fee_usd: Decimal
    price_impact_pct: Decimal
    price_impact_usd: Decimal
    gas_usd: Decimal
    minimum_received: Decimal  # tokens (buy) or USD (sell)


def token_quantum(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def down(value: Decimal, quantum: Decimal) -> Decimal:
    return value.quantize(quantum, rounding=ROUND_DOWN)


def even(value: Decimal, quantum: Decimal) -> Decimal:
    return value.quantize(quantum, rounding=ROUND_HALF_EVEN)


def _check_pool(pool: PoolState) -> None:
    if pool.liquidity_usd <= 0 or pool.price_usd <= 0:
        raise PricingError("no_liquidity", "This token has no money in its pool, so it cannot be traded.")


def _too_small(costs: Costs) -> PricingError:
    return PricingError("too_small", f"The smallest trade is ${costs.min_trade_usd}.")


def quote_buy(usd_amount: Decimal, pool: PoolState, costs: Costs) -> Fill:
    """Spend exactly `usd_amount` (cents): gas and the pool fee come out of it."""
    _check_pool(pool)
    if usd_amount < costs.min_trade_usd or usd_amount <= costs.gas_usd:
        raise _too_small(costs)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        x_in = usd_amount - costs.gas_usd
        fee = x_in * pool.fee_tier_bps / BPS
        swapped = x_in - fee
        keep = pool.usd_reserve / (pool.usd_reserve + swapped)  # 1 − impact
        quantum = token_quantum(pool.decimals)
        tokens = down(swapped / pool.price_usd * keep, quantum)
        if tokens <= 0:
            raise _too_small(costs)
        return Fill(
            side="buy",
            usd_amount=usd_amount,
            token_amount=tokens,
            price_usd=pool.price_usd,
            fill_price=even(usd_amount / tokens, PRICE_SCALE),
            pool_fee_usd=even(fee, USD_SCALE),
            price_impact_pct=even((1 - keep) * HUNDRED, PERCENT_SCALE),
            price_impact_usd=even(swapped * (1 - keep), USD_SCALE),
            gas_usd=costs.gas_usd,
            minimum_received=down(tokens * (BPS - costs.slippage_bps) / BPS, quantum),
        )


def quote_sell(token_amount: Decimal, pool: PoolState, costs: Costs) -> Fill:
    """Sell exactly `token_amount` (already at the token's decimals); gas comes out of the proceeds."""
    _check_pool(pool)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        if token_amount <= 0 or token_amount * pool.price_usd < costs.min_trade_usd:
            raise _too_small(costs)
        fee_tokens = token_amount * pool.fee_tier_bps / BPS
        swapped = token_amount - fee_tokens
        keep = pool.token_reserve / (pool.token_reserve + swapped)
        usd_out = swapped * pool.price_usd * keep
        received = down(usd_out - costs.gas_usd, CENT)
        if received <= 0:
            raise _too_small(costs)
        return Fill(
            side="sell",
            usd_amount=received,
            token_amount=token_amount,
            price_usd=pool.price_usd,
            fill_price=even(received / token_amount, PRICE_SCALE),
            pool_fee_usd=even(fee_tokens * pool.price_usd, USD_SCALE),
            price_impact_pct=even((1 - keep) * HUNDRED, PERCENT_SCALE),
            price_impact_usd=even(swapped * pool.price_usd * (1 - keep), USD_SCALE),
            gas_usd=costs.gas_usd,
            minimum_received=down(received * (BPS - costs.slippage_bps) / BPS, CENT),
        )


def share_of_holding(held: Decimal, percent: Decimal, decimals: int) -> Decimal:
    """`percent` of a holding, rounded DOWN to the token's decimals; 100% is the whole holding."""
    if percent >= HUNDRED:
        return held
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return down(held * percent / HUNDRED, token_quantum(decimals))


def basis_removed(held: Decimal, basis: Decimal, sold: Decimal) -> Decimal:
    """Average cost: the part of the cost basis that leaves with `sold` tokens."""
    if sold >= held:
        return basis
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return even(basis * sold / held, USD_SCALE)


def has_too_many_decimals(amount: Decimal, decimals: int) -> bool:
    return amount != amount.quantize(token_quantum(decimals), rounding=ROUND_DOWN)
