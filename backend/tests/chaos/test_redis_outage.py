"""Redis stops under traffic: the app keeps serving what does not need it, and recovers by itself.

Documented degradation (docs/operations.md, "When Redis is down"): sessions are read from the
database, rate limits fail open, features whose state lives only in Redis (the live price board,
chat resume buffers, wallet nonces) answer 503 with a clear message, and /readyz names `kv`.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any

import httpx
import pytest

from eaili5.core.kv import create_kv
from eaili5.core.settings import Settings
from tests.chaos.ledger import assert_ledger_reconciles
from tests.chaos.servers import ThrowawayRedis
from tests.conftest import auth, new_guest

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(180)]
WETH = "0x4200000000000000000000000000000000000006"
# Reads a person does all the time; none of them may answer 500 while Redis is down.
TYPICAL_READS = [
    "/api/me",
    "/api/learn/paths",
    "/api/learn/progress",
    "/api/learn/glossary",
    "/api/conversations",
    "/api/portfolio/trades",
]


async def buy(client: httpx.AsyncClient, token: str, usd: str = "1") -> httpx.Response:
    body = {"type": "market", "side": "buy", "token": WETH, "usd_amount": usd}
    headers = {**auth(token), "Idempotency-Key": secrets.token_hex(8)}
    return await client.post("/api/portfolio/orders", json=body, headers=headers)


async def eventually(check: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if await check():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{check.__name__} did not become true within {timeout} s")
        await asyncio.sleep(0.2)


async def test_redis_outage_degrades_and_recovers_without_restart(
    chaos_app: Any, chaos_client: httpx.AsyncClient, chaos_redis: ThrowawayRedis, chaos_settings: Settings
) -> None:
    client = chaos_client
    token, _ = await new_guest(client)

    async def can_trade() -> bool:
        return (await buy(client, token)).status_code == 201

    await eventually(can_trade)  # the poller's first board is in Redis
    received: list[bytes] = []

    async def on_probe(_: str, message: bytes) -> None:
        received.append(message)

    await chaos_app.state.eaili5.kv.subscribe("chaos-probe", on_probe)

    chaos_redis.stop()
    started = time.monotonic()
    ready = await client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["checks"]["kv"].startswith("down")
    assert ready.json()["checks"]["database"] == "ok"
    for path in TYPICAL_READS:  # sessions come from the database; the limiter fails open
        response = await client.get(path, headers=auth(token))
        assert response.status_code == 200, (path, response.text)
    second, _ = await new_guest(client)  # a new visitor can still start a session
    assert (await client.get("/api/me", headers=auth(second))).status_code == 200
    trade = await buy(client, token)  # the live price board lives in Redis: a clear 503, not a 500
    assert trade.status_code == 503, trade.text
    assert trade.json()["error"] == "ServiceUnavailable" and "try again" in trade.json()["detail"].lower()
    assert time.monotonic() - started < 15, "requests must fail fast while Redis is down"

    chaos_redis.start()  # same port, empty: like a Memorystore Basic restart

    async def ready_again() -> bool:
        return (await client.get("/readyz")).status_code == 200

    await eventually(ready_again)
    await eventually(can_trade)  # the poller re-acquires its lease and rewrites the board
    assert (await client.get("/api/me", headers=auth(token))).status_code == 200

    async def pubsub_delivers() -> bool:
        publisher = create_kv(chaos_settings)
        try:
            await publisher.publish("chaos-probe", b"back")
        finally:
            await publisher.close()
        await asyncio.sleep(0.3)
        return b"back" in received

    await eventually(pubsub_delivers)  # the reader resubscribed by itself
    await assert_ledger_reconciles(chaos_app.state.eaili5.db)
