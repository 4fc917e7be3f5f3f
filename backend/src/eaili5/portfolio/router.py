"""Portfolio HTTP API: quote, market orders (idempotent), the portfolio, trade history, reset."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Header, Query, Request, Response, status

from eaili5.auth.deps import CurrentPrincipal
from eaili5.core.deps import DBSession, get_state
from eaili5.portfolio.errors import IdempotencyKeyRequired
from eaili5.portfolio.schemas import OrderIn, OrderResult, PortfolioOut, QuoteOut, TradePage, TradeRequest
from eaili5.portfolio.service import PortfolioService

router = APIRouter(prefix="/api/portfolio", tags=["portfolio"])
MAX_KEY_LENGTH = 100


def _service(request: Request) -> PortfolioService:
    state = get_state(request)
    return PortfolioService(state.market, state.settings)


def portfolio_channel(user_id: object) -> str:
    return f"portfolio:{user_id}"


def _announce(
    request: Request, background: BackgroundTasks, user_id: object, event: dict[str, object]
) -> None:
    """Tell the user's other tabs and devices, once the response (and so the commit) is done."""
    background.add_task(get_state(request).hub.publish, portfolio_channel(user_id), event)


def _idempotency_key(value: str | None) -> str:
    key = (value or "").strip()
    if not key:
        raise IdempotencyKeyRequired(
            "Send an Idempotency-Key header (for example a new UUID) with each order, "
            "so a retry never trades twice."
        )
    if len(key) > MAX_KEY_LENGTH:
        raise IdempotencyKeyRequired(f"The Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.")
    return key


@router.get("", response_model=PortfolioOut)
async def read_portfolio(request: Request, principal: CurrentPrincipal, db: DBSession) -> PortfolioOut:
    """Cash, holdings valued at the latest prices with P&L and share, totals and return."""
    return await _service(request).view(db, principal.user_id)


@router.post("/quote", response_model=QuoteOut)
async def quote_trade(
    body: TradeRequest, request: Request, principal: CurrentPrincipal, db: DBSession
) -> QuoteOut:
    """What a market order would do right now, every cost explained. Nothing is traded."""
    return await _service(request).quote(db, principal.user_id, body)


@router.post(
    "/orders",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderResult,
    responses={200: {"model": OrderResult, "description": "A retry: the original trade, nothing new."}},
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
    """Fill a market order at the current price; a retry with the same key returns the original."""
    key = _idempotency_key(idempotency_key)
    trade, replayed = await _service(request).place_order(db, principal.user_id, body, key)
    if replayed:
        response.status_code = status.HTTP_200_OK
    else:
        _announce(
            request, background, principal.user_id, {"event": "fill", "trade": trade.model_dump(mode="json")}
        )
    return OrderResult(trade=trade, replayed=replayed)


@router.get("/trades", response_model=TradePage)
async def list_trades(
    request: Request,
    principal: CurrentPrincipal,
    db: DBSession,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> TradePage:
    """This run's trades, newest first."""
    return await _service(request).trades(db, principal.user_id, cursor, limit)


@router.post("/reset", response_model=PortfolioOut)
async def reset_portfolio(
    request: Request, principal: CurrentPrincipal, db: DBSession, background: BackgroundTasks
) -> PortfolioOut:
    """Start again with $100. The old run and its trades are kept, archived."""
    portfolio = await _service(request).reset(db, principal.user_id)
    _announce(request, background, principal.user_id, {"event": "reset", "run": portfolio.run})
    return portfolio
