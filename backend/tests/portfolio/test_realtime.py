"""Fills and resets reach the user's other tabs on the private `portfolio:<user id>` channel."""

from __future__ import annotations

import json

import httpx
from websockets.asyncio.client import ClientConnection

from tests.conftest import LiveServer, auth
from tests.realtime.test_websocket import guest, recv, signed_in

WETH = "0x4200000000000000000000000000000000000006"
ORDER = {"type": "market", "side": "buy", "token": WETH, "usd_amount": "5"}


async def next_portfolio_event(ws: ClientConnection) -> dict[str, object]:
    while True:
        frame = await recv(ws, timeout=5)
        if frame.get("channel", "").startswith("portfolio:"):
            data: dict[str, object] = frame["data"]
            return data


async def test_fill_and_reset_are_announced_once(live_server: LiveServer) -> None:
    ws, token, user_id = await signed_in(live_server)
    await ws.send(json.dumps({"type": "subscribe", "channel": f"portfolio:{user_id}"}))
    assert (await recv(ws))["type"] == "subscribed"
    async with httpx.AsyncClient(base_url=live_server.http_url) as http:
        headers = {**auth(token), "Idempotency-Key": "tab-1"}
        placed = await http.post("/api/portfolio/orders", json=ORDER, headers=headers)
        assert placed.status_code == 201
        event = await next_portfolio_event(ws)
        assert event["event"] == "fill"
        assert event["trade"]["id"] == placed.json()["trade"]["id"]  # type: ignore[index]
        assert (await http.post("/api/portfolio/orders", json=ORDER, headers=headers)).status_code == 200
        assert (await http.post("/api/portfolio/reset", headers=auth(token))).status_code == 200
        # The replay announced nothing: the next event is the reset.
        assert (await next_portfolio_event(ws))["event"] == "reset"
    await ws.close()


async def test_nobody_else_may_listen(live_server: LiveServer) -> None:
    ws, _, _ = await signed_in(live_server)
    _, other_user = await guest(live_server)
    await ws.send(json.dumps({"type": "subscribe", "id": 1, "channel": f"portfolio:{other_user}"}))
    assert (await recv(ws))["code"] == "forbidden"
    await ws.close()
