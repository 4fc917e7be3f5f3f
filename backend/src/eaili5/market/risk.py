"""Risk flags computed from market data, each explained like the reader is five.

Codes are stable (the UI and the tutor key on them); thresholds come from settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from eaili5.core.settings import Settings
from eaili5.market.schemas import PriceTick, RiskFlagOut, Token

RiskLevel = Literal["warning", "danger"]


# Each explanation is one or two short sentences a ten-year-old can read (checked in tests).
EXPLANATIONS: dict[str, tuple[RiskLevel, str, str]] = {
    "low_liquidity": (
        "danger",
        "Low liquidity",
        "There is not much money in this pool. A small trade can push the price a lot.",
    ),
    "new_pool": (
        "warning",
        "Brand-new pool",
        "This pool is only a few days old. New tokens are often used for tricks, so be careful.",
    ),
    "extreme_move": (
        "warning",
        "Huge price jump",
        "The price moved a lot in one day. Prices that jump fast can drop just as fast.",
    ),
    "thin_trading": (
        "warning",
        "Few trades",
        "Only a few people traded this today. It may be hard to sell at a fair price.",
    ),
    "off_peg": (
        "danger",
        "Off its peg",
        "This coin should stay near its set price, but right now it does not. That is a warning sign.",
    ),
    "no_price": (
        "danger",
        "No fresh price",
        "We could not get a fresh price for this token. Do not trust the number you see.",
    ),
}


@dataclass(frozen=True)
class RiskThresholds:
    low_liquidity_usd: Decimal
    new_pool_days: int
    extreme_move_pct: Decimal
    thin_trading_transactions: int
    off_peg_pct: Decimal

    @classmethod
    def from_settings(cls, settings: Settings) -> RiskThresholds:
        return cls(
            low_liquidity_usd=Decimal(settings.risk_low_liquidity_usd),
            new_pool_days=settings.risk_new_pool_days,
            extreme_move_pct=Decimal(str(settings.risk_extreme_move_pct)),
            thin_trading_transactions=settings.risk_thin_trading_transactions,
            off_peg_pct=Decimal(str(settings.risk_off_peg_pct)),
        )


def flag(code: str) -> RiskFlagOut:
    level, title, explanation = EXPLANATIONS[code]
    return RiskFlagOut(code=code, level=level, title=title, explanation=explanation)


def risk_codes(token: Token, tick: PriceTick | None, today: date, limits: RiskThresholds) -> list[str]:
    """Which flags apply, most serious first."""
    codes = ["no_price"] if tick is None or tick.stale else _price_codes(token, tick, limits)
    if (today - token.main_pool.created_at).days < limits.new_pool_days:
        codes.append("new_pool")
    return codes


def _price_codes(token: Token, tick: PriceTick, limits: RiskThresholds) -> list[str]:
    codes = []
    if token.volatility_class == "stablecoin" and _off_peg(token.reference_price_usd, tick.price_usd, limits):
        codes.append("off_peg")
    if tick.liquidity_usd is not None and tick.liquidity_usd < limits.low_liquidity_usd:
        codes.append("low_liquidity")
    if tick.change_24h_pct is not None and abs(tick.change_24h_pct) >= limits.extreme_move_pct:
        codes.append("extreme_move")
    if tick.transactions_24h is not None and tick.transactions_24h < limits.thin_trading_transactions:
        codes.append("thin_trading")
    return codes


def _off_peg(peg: Decimal, price: Decimal, limits: RiskThresholds) -> bool:
    return abs(price / peg - 1) * 100 > limits.off_peg_pct


def risk_flags(
    token: Token, tick: PriceTick | None, today: date, limits: RiskThresholds
) -> list[RiskFlagOut]:
    return [flag(code) for code in risk_codes(token, tick, today, limits)]
