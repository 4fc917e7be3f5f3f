"""Portfolio errors: each says what happened and what to do, in words a newcomer understands."""

from __future__ import annotations

from decimal import Decimal

from eaili5.core.errors import AppError, BadRequest, Conflict, NotFound


class IdempotencyKeyRequired(BadRequest):
    kind = "IdempotencyKeyRequired"


class InvalidAmount(AppError):
    status_code = 422
    kind = "InvalidAmount"


class TradeTooSmall(AppError):
    status_code = 422
    kind = "TradeTooSmall"


class StalePrice(Conflict):
    kind = "StalePrice"

    def __init__(self, symbol: str) -> None:
        super().__init__(
            f"We do not have a fresh price for {symbol} right now, so we did not trade. "
            "Try again in a moment."
        )


class NoLiquidity(Conflict):
    kind = "NoLiquidity"


class InsufficientCash(Conflict):
    kind = "InsufficientCash"

    def __init__(self, cash: Decimal, needed: Decimal) -> None:
        super().__init__(
            f"You have ${cash:.2f} in cash, but this trade needs ${needed:.2f}. Try a smaller amount."
        )


class InsufficientTokens(Conflict):
    kind = "InsufficientTokens"

    def __init__(self, symbol: str, held: Decimal, wanted: Decimal) -> None:
        super().__init__(
            f"You have {format(held.normalize(), 'f')} {symbol}, so you cannot sell "
            f"{format(wanted.normalize(), 'f')}. Sell less, or sell a percentage."
        )


class PriceMoved(Conflict):
    kind = "PriceMoved"


class IdempotencyKeyReused(Conflict):
    kind = "IdempotencyKeyReused"


class PortfolioChanged(Conflict):
    kind = "PortfolioChanged"


class InvalidTrigger(AppError):
    status_code = 422
    kind = "InvalidTrigger"


class TooManyOpenOrders(Conflict):
    kind = "TooManyOpenOrders"


class OrderNotFound(NotFound):
    kind = "OrderNotFound"


class OrderNotOpen(Conflict):
    kind = "OrderNotOpen"
