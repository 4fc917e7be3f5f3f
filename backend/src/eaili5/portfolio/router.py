"""Portfolio HTTP API: quote, orders (idempotent), the portfolio, history, equity, reset, leaderboard."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Header, Query, Request, Response, status

from eaili5.auth.deps import CurrentPrincipal
from eaili5.core.deps import DBSession, get_state
from eaili5.core.errors import error_responses
from eaili5.market.schemas import PriceTick
from eaili5.portfolio.channels import portfolio_channel
from eaili5.portfolio.errors import IdempotencyKeyRequired
from eaili5.portfolio.fill_events import publish_practice_fill
from eaili5.portfolio.leaderboard import Leaderboard
from eaili5.portfolio.orders import ConditionalOrders
from eaili5.portfolio.schemas import (
    EquityOut,
    EquityRange,
    LeaderboardPeriod,
    LeaderboardSort,
    OrderIn,
    OrderOut,
    OrderPage,
    OrderResult,
    OrderStatus,
    PortfolioOut,
    QuoteOut,
    TradeOut,
    TradePage,
    TradeRequest,
    TradingLeaderboard,
)
from eaili5.portfolio.service import PortfolioService

router = APIRouter(prefix="/api/portfolio", tags=["portfolio"])
leaderboard_router = APIRouter(prefix="/api/leaderboard", tags=["portfolio"])
MAX_KEY_LENGTH = 100
RESERVED_KEY_PREFIX = "fill:"  # the trades of triggered orders use "fill:<order id>"


def _service(request: Request) -> PortfolioService:
    state = get_state(request)
    return PortfolioService(state.market, state.settings)


def _orders(request: Request) -> ConditionalOrders:
    return ConditionalOrders(_service(request))


def _announce(
    request: Request, background: BackgroundTasks, user_id: object, event: dict[str, object]
) -> None:
    """Tell the user's other tabs and devices, once the response (and so the commit) is done."""
    background.add_task(get_state(request).hub.publish, portfolio_channel(user_id), event)


async def _publish_fill(
    request: Request, user_id: uuid.UUID, trade: TradeOut, tick: PriceTick | None
) -> None:
    """Tell other domains (learning hints and badges) about a market fill, after the commit."""
    state = get_state(request)
    await publish_practice_fill(state.events, state.market, user_id, trade, tick)


def _idempotency_key(value: str | None) -> str:
    key = (value or "").strip()
    if not key:
        raise IdempotencyKeyRequired(
            "Send an Idempotency-Key header (for example a new UUID) with each order, "
            "so a retry never trades twice."
        )
    if len(key) > MAX_KEY_LENGTH or key.startswith(RESERVED_KEY_PREFIX):
        raise IdempotencyKeyRequired(
            f"The Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters and not start with "
            f"'{RESERVED_KEY_PREFIX}'."
        )
    return key


@router.get("", response_model=PortfolioOut)
async def read_portfolio(request: Request, principal: CurrentPrincipal) -> PortfolioOut:
    """Cash, holdings valued at the latest prices with P&L and share, totals and return."""
    return await _service(request).read(get_state(request).db, principal.user_id)


@router.post("/quote", response_model=QuoteOut, responses=error_responses(400, 404, 409))
async def quote_trade(
    body: TradeRequest, request: Request, principal: CurrentPrincipal, db: DBSession
) -> QuoteOut:
    """What a market order would do right now, every cost explained. Nothing is traded."""
    return await _service(request).quote(db, principal.user_id, body)


@router.post(
    "/orders",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderResult,
    responses={
        200: {"model": OrderResult, "description": "A retry: the original result, nothing new."},
        **error_responses(400, 404, 409),
    },
)
async def place_order(
    body: OrderIn,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    db: DBSession,
    background: BackgroundTasks,
    idempotency_key: Annotated[
        str | None, Header(description="Required: 1-100 characters, new for each order.")
    ] = None,
) -> OrderResult:
    """A market order fills now at the current price; a limit, stop-loss or take-profit order waits
    for its trigger price. A retry with the same key returns the original and trades nothing."""
    key = _idempotency_key(idempotency_key)
    if body.type != "market":
        order, replayed = await _orders(request).place(db, principal.user_id, body, key)
        if replayed:
            response.status_code = status.HTTP_200_OK
        else:
            event: dict[str, object] = {"event": "order_placed", "order": order.model_dump(mode="json")}
            _announce(request, background, principal.user_id, event)
        return OrderResult(trade=None, order=order, replayed=replayed)
    trade, replayed, tick = await _service(request).place_order(db, principal.user_id, body, key)
    if replayed:
        response.status_code = status.HTTP_200_OK
    else:
        _announce(
            request, background, principal.user_id, {"event": "fill", "trade": trade.model_dump(mode="json")}
        )
        background.add_task(_publish_fill, request, principal.user_id, trade, tick)
    return OrderResult(trade=trade, replayed=replayed)


@router.get("/orders", response_model=OrderPage, responses=error_responses(400))
async def list_orders(
    request: Request,
    principal: CurrentPrincipal,
    db: DBSession,
    status: Annotated[OrderStatus | None, Query(description="Only orders in this state.")] = None,
) -> OrderPage:
    """This run's limit, stop-loss and take-profit orders, newest first (at most 100)."""
    return await _orders(request).list(db, principal.user_id, status)


@router.delete("/orders/{order_id}", response_model=OrderOut, responses=error_responses(404, 409))
async def cancel_order(
    order_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipal,
    db: DBSession,
    background: BackgroundTasks,
) -> OrderOut:
    """Cancel a waiting order. 404 if it is not yours; 409 if it already filled, failed or expired."""
    order = await _orders(request).cancel(db, principal.user_id, order_id)
    _announce(
        request,
        background,
        principal.user_id,
        {"event": "order_cancelled", "order": order.model_dump(mode="json")},
    )
    return order


@router.get("/equity", response_model=EquityOut)
async def read_equity(
    request: Request,
    principal: CurrentPrincipal,
    db: DBSession,
    range: Annotated[EquityRange, Query(description="How far back.")] = "7d",
) -> EquityOut:
    """Total value over time for the chart: the start, a snapshot at each trade and hourly, and now."""
    return await _service(request).equity(db, principal.user_id, range)


@router.get("/trades", response_model=TradePage, responses=error_responses(400))
async def list_trades(
    request: Request,
    principal: CurrentPrincipal,
    db: DBSession,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> TradePage:
    """This run's trades, newest first."""
    return await _service(request).trades(db, principal.user_id, cursor, limit)


@router.post("/reset", response_model=PortfolioOut, responses=error_responses(409))
async def reset_portfolio(
    request: Request, principal: CurrentPrincipal, db: DBSession, background: BackgroundTasks
) -> PortfolioOut:
    """Start again with $100. The old run and its trades are kept, archived."""
    portfolio = await _service(request).reset(db, principal.user_id)
    _announce(request, background, principal.user_id, {"event": "reset", "run": portfolio.run})
    return portfolio


@leaderboard_router.get("", response_model=TradingLeaderboard)
async def read_leaderboard(
    request: Request,
    principal: CurrentPrincipal,
    db: DBSession,
    period: Annotated[LeaderboardPeriod, Query()] = "week",
    sort: Annotated[LeaderboardSort, Query(description="return % or the risk-adjusted score")] = "return",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> TradingLeaderboard:
    """Current runs ranked by return % (archived runs never count), with a risk-adjusted score and
    your own rank. Names are nicknames or shortened addresses, never an id."""
    state = get_state(request)
    board = Leaderboard(state.db, state.kv, _service(request))
    return await board.read(db, principal.user_id, period, sort, limit)
