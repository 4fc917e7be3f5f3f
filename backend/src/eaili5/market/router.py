"""Market HTTP API: token list, token detail, candles and source status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from eaili5.core.deps import get_state
from eaili5.core.errors import error_responses
from eaili5.market.schemas import (
    CandleSeries,
    MarketStatus,
    RecentTrades,
    SortOrder,
    Timeframe,
    TokenDetail,
    TokenList,
)
from eaili5.market.service import MAX_LIST_LIMIT, MarketService

router = APIRouter(prefix="/api", tags=["market"])
API_TIMEFRAMES = (Timeframe.M1, Timeframe.M5, Timeframe.M15, Timeframe.H1, Timeframe.H4, Timeframe.D1)


def _market(request: Request) -> MarketService:
    return get_state(request).market


@router.get("/tokens", response_model=TokenList, responses=error_responses(400))
async def list_tokens(
    request: Request,
    sort: SortOrder = SortOrder.TRENDING,
    q: Annotated[str | None, Query(max_length=64, description="Symbol, name or address prefix")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST_LIMIT)] = 50,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Base tokens with their latest price, 24h stats and risk flags."""
    # A TokenList already written as JSON: pages are shared until the board changes.
    body = await _market(request).list_tokens_json(sort, q, limit, cursor)
    return Response(content=body, media_type="application/json")


@router.get("/tokens/{address}", response_model=TokenDetail, responses=error_responses(400, 404))
async def read_token(request: Request, address: str) -> Response:
    """One token: everything in the list row plus where its facts come from."""
    body = await _market(request).token_detail_json(address)  # a TokenDetail, written once per board
    return Response(content=body, media_type="application/json")


@router.get(
    "/tokens/{address}/candles", response_model=CandleSeries, responses=error_responses(400, 404, 502)
)
async def read_candles(
    request: Request,
    address: str,
    tf: Timeframe = Timeframe.H1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    before: Annotated[
        int | None, Query(ge=0, description="Only candles opening before this unix time")
    ] = None,
) -> Response:
    """OHLCV candles, oldest first."""
    # A CandleSeries already written as JSON (closed bars are formatted once, not per request).
    body = await _market(request).candles_json(address, tf, limit, before)
    return Response(content=body, media_type="application/json")


@router.get("/tokens/{address}/trades", response_model=RecentTrades, responses=error_responses(400, 404, 502))
async def read_recent_trades(
    request: Request, address: str, limit: Annotated[int, Query(ge=1, le=100)] = 30
) -> RecentTrades:
    """The token's newest swaps on Base DEXs (simulated or Bitquery; 503 when no source has trades)."""
    return await _market(request).recent_trades(address, limit)


@router.get("/market/status", response_model=MarketStatus)
async def read_market_status(request: Request) -> MarketStatus:
    """Which source is serving, when each last succeeded, and how much call budget is left."""
    return await _market(request).status()
