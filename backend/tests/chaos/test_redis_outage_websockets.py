"""Redis stops while WebSocket clients are connected and subscribed (prices, portfolio, chat).

Documented behaviour (docs/operations.md, "When Redis is down"; docs/websocket.md): sockets stay
open and keep answering; frames that need Redis (a new question to the tutor) get an `unavailable`
error frame instead of an `internal` one; a new socket still signs in (sessions come from the
database); no fan-out happens while Redis is away (every frame, even for sockets on the publishing
instance, goes through Redis pub/sub); when Redis returns, the channels joined before and during the
outage deliver again and chat works, with no restart and no resubscribing by the client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from eaili5.core.settings import Settings
from tests.chaos.ledger import assert_ledger_reconciles
from tests.chaos.servers import ThrowawayRedis
from tests.chaos.sockets import Socket, channel_message
from tests.chaos.test_redis_outage import WETH, buy, eventually
from tests.conftest import LiveServer, auth

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(240)]
TOKEN_CHANNEL = f"token:{WETH}"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    # Frequent portfolio value frames, so the portfolio channel shows life without a trade too.
    return {"portfolio_value_update_seconds": 1.0}


@pytest.fixture
async def live(chaos_settings: Settings) -> AsyncIterator[LiveServer]:
    server = LiveServer(chaos_settings)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_subscribed_sockets_ride_out_a_redis_outage(
    live: LiveServer, chaos_redis: ThrowawayRedis
) -> None:
    async with httpx.AsyncClient(base_url=live.http_url, timeout=30) as http:
        session = (await http.post("/api/session")).json()
        token, user_id = session["token"], session["user"]["id"]
        portfolio = f"portfolio:{user_id}"
        socket = await Socket.signed_in(live.ws_url, token)
        for channel in ("prices", portfolio, f"user:{user_id}"):
            assert (await socket.request({"type": "subscribe", "id": channel, "channel": channel}))[
                "type"
            ] == "subscribed"
        await socket.wait_for(channel_message("prices"), "a prices frame before the outage")

        async def can_trade() -> bool:
            return (await buy(http, token)).status_code == 201

        await eventually(can_trade)
        await socket.wait_for(channel_message(portfolio, "fill"), "a fill frame before the outage")
        assert (await socket.ask("before", "What is a wallet?"))[-1]["type"] == "chat.done"

        chaos_redis.stop()
        await _assert_degraded_but_serving(live, http, socket, token)

        chaos_redis.start()  # same port, empty
        await _assert_recovered(http, socket, token, portfolio)
        assert socket.close_code is None, "the socket must stay open through the outage"
        await socket.close()
    await assert_ledger_reconciles(live.app.state.eaili5.db)


async def _assert_degraded_but_serving(
    live: LiveServer, http: httpx.AsyncClient, socket: Socket, token: str
) -> None:
    assert (await socket.request({"type": "ping", "id": "alive"}))["type"] == "pong"
    # Joining is answered at once; the instance subscribes in Redis when it is back.
    joined = await socket.request({"type": "subscribe", "id": "during", "channel": TOKEN_CHANNEL})
    assert joined["type"] == "subscribed", joined
    refused = await socket.ask("during", "What is gas?")
    assert [f["type"] for f in refused] == ["error"], refused
    assert refused[0]["code"] == "unavailable" and "try again" in refused[0]["detail"].lower(), refused
    over_http = await http.post("/api/chat", json={"text": "What is gas?"}, headers=auth(token))
    assert over_http.status_code == 503 and over_http.headers["retry-after"], over_http.text
    # What needs only the database still answers (the valued portfolio needs the price board: 503).
    assert (await http.get("/api/portfolio/trades", headers=auth(token))).status_code == 200
    newcomer = await Socket.signed_in(live.ws_url, token)  # the session is read from the database
    assert (await newcomer.request({"type": "ping", "id": "new"}))["type"] == "pong"
    await newcomer.close()
    assert not [f for f in socket.frames if f.get("code") == "internal"], "an outage is not a bug"


async def _assert_recovered(http: httpx.AsyncClient, socket: Socket, token: str, portfolio: str) -> None:
    since = socket.mark()
    # Joined before the outage and during it: both deliver again, with no new subscribe frame.
    await socket.wait_for(channel_message("prices"), "prices after Redis returned", since, timeout=30)
    await socket.wait_for(channel_message(TOKEN_CHANNEL), "token ticks after Redis returned", since)

    async def can_trade() -> bool:
        return (await buy(http, token)).status_code == 201

    await eventually(can_trade)
    await socket.wait_for(channel_message(portfolio, "fill"), "a fill frame after Redis returned", since)
    answered = await socket.ask("after", "What is a token?")
    assert answered[-1]["type"] == "chat.done", answered[-1]
    offsets = [f["offset"] for f in answered]
    assert offsets == list(range(len(offsets))), offsets
