"""Limit, stop-loss and take-profit orders: placing (idempotent), listing and cancelling.

Nothing is reserved while an order waits. Placing checks what can be checked now (the token has a
fresh price, the trigger is not already passed for a stop-loss or take-profit, the amount is big
enough, a sell has the tokens, a buy has the cash); the fill re-checks everything (fills.py).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.models import Order
from eaili5.portfolio import orders_repository, repository
from eaili5.portfolio.errors import (
    IdempotencyKeyReused,
    InsufficientCash,
    InsufficientTokens,
    InvalidTrigger,
    OrderNotFound,
    OrderNotOpen,
    TooManyOpenOrders,
    TradeTooSmall,
)
from eaili5.portfolio.schemas import OrderIn, OrderOut, OrderPage, OrderStatus
from eaili5.portfolio.service import PortfolioService, Priced, trade_out

MAX_LISTED = 100


def fingerprint(order: OrderIn) -> str:
    return hashlib.sha256(order.model_dump_json().encode()).hexdigest()


def crosses(order: Order, price: Decimal) -> bool:
    """Buy limit and stop-loss fill at or below the trigger; sell limit and take-profit at or above."""
    if order.side == "buy" or order.type == "stop_loss":
        return price <= order.trigger_price
    return price >= order.trigger_price


def _usd(value: Decimal) -> str:
    return f"${value:,.2f}" if value >= 1 else f"${format(value.normalize(), 'f')}"


def describe(order: Order) -> str:
    """What the order does, in plain words."""
    price = _usd(order.trigger_price)
    if order.side == "buy":
        assert order.usd_amount is not None
        return f"Buy {_usd(order.usd_amount)} of {order.symbol} when the price is {price} or lower."
    what = (
        f"{format(order.percent.normalize(), 'f')}% of your {order.symbol}"
        if order.percent is not None
        else f"{format((order.token_amount or Decimal(0)).normalize(), 'f')} {order.symbol}"
    )
    if order.type == "stop_loss":
        return f"Stop-loss: sell {what} if the price falls to {price} or lower."
    if order.type == "take_profit":
        return f"Take profit: sell {what} when the price rises to {price} or higher."
    return f"Sell {what} when the price is {price} or higher."


def order_out(order: Order, trades: dict[uuid.UUID, object] | None = None) -> OrderOut:
    trade = (trades or {}).get(order.trade_id) if order.trade_id else None
    return OrderOut(
        id=order.id,
        type=order.type,
        side="buy" if order.side == "buy" else "sell",
        token=order.token,
        symbol=order.symbol,
        trigger_price=order.trigger_price,
        usd_amount=order.usd_amount,
        token_amount=order.token_amount,
        percent=order.percent,
        status=order.status,
        description=describe(order),
        failure_reason=order.failure_reason,
        trade=trade_out(trade) if trade is not None else None,  # type: ignore[arg-type]
        expires_at=order.expires_at,
        created_at=order.created_at,
        closed_at=order.closed_at,
    )


class ConditionalOrders:
    def __init__(self, service: PortfolioService) -> None:
        self.service, self.settings = service, service.settings

    async def place(
        self, db: AsyncSession, user_id: uuid.UUID, body: OrderIn, key: str
    ) -> tuple[OrderOut, bool]:
        """Place a waiting order once per Idempotency-Key: (order, replayed)."""
        digest = fingerprint(body)
        portfolio = await self.service.current(db, user_id)
        existing = await orders_repository.by_key(db, user_id, key)
        if existing is not None:
            return self._replay(existing, digest), True
        if await repository.find_trade(db, user_id, key) is not None:
            raise _key_reused()
        priced = await self.service.priced(body.token)
        await self._validate(db, portfolio.id, body, priced)
        order = Order(
            user_id=user_id,
            portfolio_id=portfolio.id,
            idempotency_key=key,
            request_hash=digest,
            type=body.type,
            side=body.side,
            token=priced.key,
            symbol=priced.token.symbol,
            trigger_price=body.trigger_price,
            usd_amount=body.usd_amount,
            token_amount=body.token_amount,
            percent=body.percent,
            status="open",
            expires_at=datetime.now(UTC)
            + timedelta(hours=body.expires_in_hours or self.settings.portfolio_order_expiry_hours),
        )
        try:
            async with db.begin_nested():
                order = await orders_repository.add(db, order)
        except IntegrityError:
            existing = await orders_repository.by_key(db, user_id, key)
            if existing is None:
                raise
            return self._replay(existing, digest), True
        return order_out(order), False

    def _replay(self, order: Order, digest: str) -> OrderOut:
        if order.request_hash != digest:
            raise _key_reused()
        return order_out(order)

    async def _validate(
        self, db: AsyncSession, portfolio_id: uuid.UUID, body: OrderIn, priced: Priced
    ) -> None:
        assert body.trigger_price is not None  # OrderIn requires it for these types
        _check_trigger(body, priced)
        if await orders_repository.count_open(db, portfolio_id) >= self.settings.portfolio_max_open_orders:
            raise TooManyOpenOrders(
                f"You already have {self.settings.portfolio_max_open_orders} waiting orders. "
                "Cancel one before you add another."
            )
        if body.side == "buy":
            assert body.usd_amount is not None
            if body.usd_amount < self.settings.portfolio_min_trade_usd:
                raise TradeTooSmall(f"The smallest trade is ${self.settings.portfolio_min_trade_usd}.")
            cash = await repository.cash(db, portfolio_id)
            if body.usd_amount > cash:
                raise InsufficientCash(cash, body.usd_amount)
            return
        holding = await repository.find_holding(db, portfolio_id, priced.key)
        held = holding.amount if holding else Decimal(0)
        # The same checks a sell makes now (decimals, enough tokens); the size is checked at fill time.
        self.service.sell_amount(body, priced.token, held)
        if held <= 0:
            raise InsufficientTokens(priced.token.symbol, held, body.token_amount or Decimal(0))

    async def list(self, db: AsyncSession, user_id: uuid.UUID, status: OrderStatus | None) -> OrderPage:
        portfolio = await self.service.current(db, user_id)
        rows = await orders_repository.page(db, portfolio.id, status, MAX_LISTED)
        trades = await orders_repository.trades_by_id(db, [row.trade_id for row in rows if row.trade_id])
        return OrderPage(items=[order_out(row, dict(trades)) for row in rows])

    async def cancel(self, db: AsyncSession, user_id: uuid.UUID, order_id: uuid.UUID) -> OrderOut:
        """open -> cancelled. 404 for someone else's order; 409 when it is no longer open."""
        if not await orders_repository.close(db, order_id, "cancelled", user_id=user_id):
            order = await orders_repository.get(db, order_id)
            if order is None or order.user_id != user_id:
                raise OrderNotFound("There is no such order. It may belong to another account.")
            raise OrderNotOpen(
                f"This order is already {order.status}, so it cannot be cancelled. Refresh your orders."
            )
        order = await orders_repository.get(db, order_id)
        assert order is not None
        return order_out(order)


def _key_reused() -> IdempotencyKeyReused:
    return IdempotencyKeyReused(
        "This Idempotency-Key was already used for a different order. Use a new key for a new order."
    )


def _check_trigger(body: OrderIn, priced: Priced) -> None:
    """A stop-loss below the price and a take-profit above it; otherwise they would fire at once."""
    trigger, price = body.trigger_price, priced.tick.price_usd
    assert trigger is not None
    symbol, now = priced.token.symbol, _usd(price)
    if body.type == "stop_loss" and trigger >= price:
        raise InvalidTrigger(
            f"A stop-loss sells if the price falls to your trigger. {symbol} is {now} now, so pick a "
            "lower price, or sell now with a market order."
        )
    if body.type == "take_profit" and trigger <= price:
        raise InvalidTrigger(
            f"A take-profit sells when the price rises to your trigger. {symbol} is {now} now, so pick "
            "a higher price, or sell now with a market order."
        )
