"""Order events and throttled value updates on the private `portfolio:<user id>` channel."""

from __future__ import annotations

import asyncio
import json
import time
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, auth
from tests.portfolio.conftest import DEFAULT_PRICES, WETH, board, set_prices, ticker
from tests.portfolio.test_realtime import next_portfolio_event
from tests.realtime.test_websocket import recv, signed_in

LIMIT = {"type": "limit", "side": "buy", "token": WETH, "usd_amount": "5", "trigger_price": "1900"}


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"market_tick_seconds": 3600.0, "portfolio_value_update_seconds": 0.3}


async def next_event(ws: Any, name: str) -> dict[str, Any]:
    while True:
        event = await next_portfolio_event(ws)
        if event["event"] == name:
            return event


async def test_placed_filled_and_cancelled_orders_are_announced(live_server: LiveServer) -> None:
    await set_prices(live_server.app, DEFAULT_PRICES)
    ws, token, user_id = await signed_in(live_server)
    await ws.send(json.dumps({"type": "subscribe", "channel": f"portfolio:{user_id}"}))
    assert (await recv(ws))["type"] == "subscribed"
    async with httpx.AsyncClient(base_url=live_server.http_url) as http:
        first = await http.post(
            "/api/portfolio/orders", json=LIMIT, headers={**auth(token), "Idempotency-Key": "a"}
        )
        second = await http.post(
            "/api/portfolio/orders",
            json={**LIMIT, "trigger_price": "1000"},
            headers={**auth(token), "Idempotency-Key": "b"},
        )
        assert (first.status_code, second.status_code) == (201, 201)
        placed = await next_event(ws, "order_placed")
        assert placed["order"]["id"] == first.json()["order"]["id"]
        await ticker(live_server.app).on_tick(board({WETH: "1899"}))
        filled = await next_event(ws, "order_filled")
        assert filled["order"]["id"] == first.json()["order"]["id"] and filled["order"]["status"] == "filled"
        assert Decimal(filled["order"]["trade"]["price_usd"]) == Decimal("1899")
        second_id = second.json()["order"]["id"]
        assert (
            await http.delete(f"/api/portfolio/orders/{second_id}", headers=auth(token))
        ).status_code == 200
        cancelled = await next_event(ws, "order_cancelled")
        assert cancelled["order"]["id"] == second_id
    await ws.close()


async def test_value_updates_are_throttled_and_only_while_watched(live_server: LiveServer) -> None:
    await set_prices(live_server.app, DEFAULT_PRICES)
    ws, token, user_id = await signed_in(live_server)
    async with httpx.AsyncClient(base_url=live_server.http_url) as http:
        buy = {"side": "buy", "token": WETH, "usd_amount": "50"}
        assert (
            await http.post(
                "/api/portfolio/orders", json=buy, headers={**auth(token), "Idempotency-Key": "v"}
            )
        ).status_code == 201
    await ws.send(json.dumps({"type": "subscribe", "channel": f"portfolio:{user_id}"}))
    assert (await recv(ws))["type"] == "subscribed"
    first = await next_event(ws, "value")
    sent_at = time.monotonic()
    assert first["cash_usd"] == "50.00000000" and first["run"] == 1
    # While the value stands still nothing more is sent.
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(next_event(ws, "value"), 0.8)
    await set_prices(live_server.app, {**DEFAULT_PRICES, WETH: ("2500", "2000000")})
    second = await next_event(ws, "value")
    assert Decimal(second["total_value_usd"]) > Decimal(first["total_value_usd"])
    assert time.monotonic() - sent_at >= 0.27  # at most one per interval (0.3 s here)
    await ws.close()
