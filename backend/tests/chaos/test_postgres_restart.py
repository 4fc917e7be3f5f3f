"""PostgreSQL restarts under traffic: fast 503s with a clear message, no half-written trade, and the
connection pool recovers by itself (a dead connection fails its request with a 503 and SQLAlchemy
invalidates the pool, so the next checkouts reconnect; no pre-ping)."""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from eaili5.models import Trade
from tests.chaos.ledger import assert_ledger_reconciles
from tests.chaos.servers import ThrowawayPostgres
from tests.chaos.test_redis_outage import WETH, eventually
from tests.conftest import auth, new_guest

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(180)]
# No request may hang while the database is away: it answers (503) well within this.
SLOWEST_ALLOWED_SECONDS = 5.0


@dataclass
class Traffic:
    """Orders and reads sent one after another until stopped, with what each got back."""

    client: httpx.AsyncClient
    token: str
    outcomes: list[tuple[str, int, float, str]] = field(default_factory=list)  # kind, status, secs, body
    acknowledged: list[str] = field(default_factory=list)  # idempotency keys answered 201
    running: bool = True

    async def run(self) -> None:
        while self.running:
            await self._order()
            await self._read()
            await asyncio.sleep(0.1)  # about 50 orders in a run: the $100 of play money lasts

    async def _order(self) -> None:
        key = secrets.token_hex(8)
        body = {"type": "market", "side": "buy", "token": WETH, "usd_amount": "1"}
        response = await self._timed("order", "POST", "/api/portfolio/orders", body, key)
        if response.status_code == 201:
            self.acknowledged.append(key)

    async def _read(self) -> None:
        await self._timed("read", "GET", "/api/portfolio", None, None)

    async def _timed(self, kind: str, method: str, path: str, body: Any, key: str | None) -> httpx.Response:
        headers = {**auth(self.token), **({"Idempotency-Key": key} if key else {})}
        started = time.monotonic()
        response = await self.client.request(method, path, json=body, headers=headers)
        self.outcomes.append((kind, response.status_code, time.monotonic() - started, response.text))
        return response


async def test_postgres_restart_under_traffic(
    chaos_app: Any, chaos_client: httpx.AsyncClient, chaos_postgres: ThrowawayPostgres
) -> None:
    token, _ = await new_guest(chaos_client)

    async def can_trade() -> bool:
        traffic = Traffic(chaos_client, token)
        await traffic._order()
        return bool(traffic.acknowledged)

    await eventually(can_trade)
    traffic = Traffic(chaos_client, token)
    runner = asyncio.create_task(traffic.run())
    try:
        await asyncio.sleep(1.0)
        chaos_postgres.stop("immediate")  # a crash: connections die mid-transaction
        await asyncio.sleep(1.5)
        down = await chaos_client.get("/readyz")
        assert down.status_code == 503 and down.json()["checks"]["database"] != "ok"
        chaos_postgres.start()
        await asyncio.sleep(0.5)
        chaos_postgres.stop("fast")  # a clean restart too, as in a maintenance window
        chaos_postgres.start()

        async def ready() -> bool:
            return (await chaos_client.get("/readyz")).status_code == 200

        await eventually(ready)
        served_before = len([o for o in traffic.outcomes if o[1] in (200, 201)])
        await asyncio.sleep(1.0)
    finally:
        traffic.running = False
        await runner
    _assert_failures_were_fast_clear_503s(traffic.outcomes)
    assert len([o for o in traffic.outcomes if o[1] in (200, 201)]) > served_before, "pool did not recover"
    assert any(o[1] == 503 for o in traffic.outcomes), "the outage was never observed"
    await _assert_every_acknowledged_trade_exists(chaos_app, traffic.acknowledged)
    await assert_ledger_reconciles(chaos_app.state.eaili5.db)


def _assert_failures_were_fast_clear_503s(outcomes: list[tuple[str, int, float, str]]) -> None:
    for kind, status, seconds, body in outcomes:
        assert status in (200, 201, 503), (kind, status, body)
        assert seconds < SLOWEST_ALLOWED_SECONDS, (kind, status, seconds)
        if status == 503:
            assert "briefly unavailable" in body and "try again" in body, body


async def _assert_every_acknowledged_trade_exists(app: Any, keys: list[str]) -> None:
    async with app.state.eaili5.db.sessionmaker() as db:
        stored = set((await db.execute(select(Trade.idempotency_key))).scalars().all())
    missing = [key for key in keys if key not in stored]
    assert not missing, f"{len(missing)} trades answered 201 but were never saved"
