"""The token list and detail rows are built once per stored board and reused: a new board, a new day or
a tick growing old must still show at once."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import orjson
import pytest
from pydantic import TypeAdapter

from eaili5.market import service as market_service
from eaili5.market.errors import MarketDataUnavailable
from eaili5.market.schemas import SortOrder, Timeframe, TokenDetail, TokenList
from eaili5.market.service import TICKS_KEY

USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
WETH = "0x4200000000000000000000000000000000000006"


async def _usdc_row(client: httpx.AsyncClient) -> dict[str, Any]:
    listed = (await client.get("/api/tokens", params={"q": "USDC", "limit": 100})).json()["items"]
    return next(row for row in listed if row["address"] == USDC)


async def test_a_new_board_shows_at_once_and_an_unchanged_one_reuses_its_rows(
    app: Any, client: httpx.AsyncClient
) -> None:
    market = app.state.eaili5.market
    first = await _usdc_row(client)
    raw = await market.kv.get(TICKS_KEY)
    rows = await market._rows(raw)
    assert await market._rows(bytes(raw)) is rows  # the same stored board (equal bytes): nothing rebuilt

    board = orjson.loads(await market.kv.get(TICKS_KEY))
    key = USDC.lower()
    board[key]["price_usd"] = str(Decimal(first["price_usd"]) + Decimal("0.5"))
    await market.kv.set(TICKS_KEY, orjson.dumps(board))

    listed, detail = await _usdc_row(client), (await client.get(f"/api/tokens/{USDC}")).json()
    assert Decimal(listed["price_usd"]) == Decimal(board[key]["price_usd"])
    assert Decimal(detail["price_usd"]) == Decimal(board[key]["price_usd"])


async def test_a_tick_that_grows_old_is_marked_stale_without_a_new_board(
    app: Any, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    market = app.state.eaili5.market
    assert (await _usdc_row(client))["stale"] is False
    assert not (await market.fresh_tick(USDC)).stale

    real_now = market_service._now
    later = timedelta(seconds=market.settings.market_stale_after_seconds + 120)
    monkeypatch.setattr(market_service, "_now", lambda: real_now() + later)

    row = await _usdc_row(client)
    detail = (await client.get(f"/api/tokens/{USDC}")).json()
    assert row["stale"] is True and detail["stale"] is True
    with pytest.raises(MarketDataUnavailable):
        await market.fresh_tick(USDC)


async def test_answers_written_once_are_the_documents_the_models_give(
    app: Any, client: httpx.AsyncClient
) -> None:
    """The list, detail and candle answers are shared JSON, not models serialised per request: each must
    be exactly what serialising the models gives."""
    market = app.state.eaili5.market
    pages: list[dict[str, Any]] = [
        {"limit": 50},
        {"sort": "volume", "limit": 7},
        {"sort": "new", "limit": 7, "cursor": market_service.encode_cursor(7)},
        {"sort": "gainers", "q": "a"},
        {"q": "no-such-token"},
    ]

    async def listed(params: dict[str, Any]) -> bytes:
        sort = SortOrder(params.get("sort", "trending"))
        args = (sort, params.get("q"), params.get("limit", 50), params.get("cursor"))
        return TypeAdapter(TokenList).dump_json(await market.list_tokens(*args))

    async def detail(address: str) -> bytes:
        return TypeAdapter(TokenDetail).dump_json(await market.token_detail(address))

    # The simulated board changes every second: the answer must be the document of the board before or
    # after it (a tick may land in between).
    for params in pages * 2:  # the second round is served from the shared pages
        before, answer = await listed(params), (await client.get("/api/tokens", params=params)).content
        assert answer in (before, await listed(params))
    for address in (USDC, WETH):
        before, answer = await detail(address), (await client.get(f"/api/tokens/{address}")).content
        assert answer in (before, await detail(address))
    closed = int(time.time()) - 2 * 86_400  # every bar closed: the same whenever it is asked
    for tf in ("5m", "1h", "1d"):
        answer = (await client.get(f"/api/tokens/{WETH}/candles", params={"tf": tf, "before": closed})).json()
        series = await market.candles(WETH, Timeframe(tf), 200, closed)
        assert answer.pop("as_of") and answer == series.model_dump(mode="json", exclude={"as_of"})
