"""One-line ELI5 explanations of each cost in a quote (grade <= 5, checked in tests)."""

from __future__ import annotations

from decimal import Decimal

from eaili5.market.schemas import RiskFlagOut

BUY = {
    "you_pay": "This is the play money that leaves your cash.",
    "you_get": "These are the coins you get after all the costs.",
}
SELL = {
    "you_pay": "These are the coins that leave your bag.",
    "you_get": "This is the play money you get back after all the costs.",
}
COSTS = {
    "pool_fee": "The pool keeps a tiny part of each trade. It pays the people who put coins in it.",
    "price_impact": "Your trade moves the price a bit. Big trades in small pools move it more.",
    "gas": "The Base network asks a tiny fee to run each trade. It is called gas.",
    "minimum_received": "If the price moves before your trade is done, you still get at least this much.",
}
HIGH_IMPACT_PCT = Decimal(1)


def explanations(side: str) -> dict[str, str]:
    return {**(BUY if side == "buy" else SELL), **COSTS}


def high_impact_warning(impact_pct: Decimal) -> RiskFlagOut:
    shown = format(impact_pct.quantize(Decimal("0.01")), "f")
    return RiskFlagOut(
        code="high_price_impact",
        level="warning",
        title="Big price move",
        explanation=f"This trade moves the price by {shown}%. You get less for your money. "
        "A smaller trade moves it less.",
    )
