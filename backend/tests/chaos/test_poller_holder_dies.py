"""The instance holding the market poller's lease is killed: another instance polls within one lease
period (plus one tick), and prices keep moving."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from eaili5.core.db import Database, create_engine
from eaili5.market.poller import MIN_LEASE_SECONDS
from tests.chaos.ledger import assert_ledger_reconciles
from tests.chaos.servers import ThrowawayRedis, free_port
from tests.conftest import make_settings
from tests.tutor.test_resume import _wait_ready

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(240)]
TICK_SECONDS = 1.0
LEASE_SECONDS = MIN_LEASE_SECONDS  # 3 ticks, at least 5 s


@pytest.fixture
def instances(
    chaos_database_url: str, chaos_redis: ThrowawayRedis
) -> Iterator[dict[str, tuple[int, subprocess.Popen[bytes]]]]:
    env = {
        **os.environ,
        "DATABASE_URL": chaos_database_url,
        "REDIS_URL": chaos_redis.url,
        "EAILI5_ENVIRONMENT": "test",
        "EAILI5_FRONTEND_DIST": "/nonexistent",
        "EAILI5_LOG_LEVEL": "WARNING",
        "EAILI5_MARKET_TICK_SECONDS": str(TICK_SECONDS),
    }
    started: dict[str, tuple[int, subprocess.Popen[bytes]]] = {}
    for name in ("poller-a", "poller-b"):
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "eaili5.cli", "serve", "--port", str(port)],
            env={**env, "EAILI5_INSTANCE_ID": name},
            cwd=Path(__file__).parents[2],
        )
        started[name] = (port, process)
    try:
        for port, process in started.values():
            _wait_ready(port, process)
        yield started
    finally:
        for _, process in started.values():
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=20)


def poller_seen_by(port: int) -> str | None:
    """Who polls, as one instance sees it; None when it is too busy to say (a loaded CI machine)."""
    try:
        status = httpx.get(f"http://127.0.0.1:{port}/api/market/status", timeout=10).json()
    except httpx.TimeoutException:
        return None
    return str(status["poller_instance"]) if status["poller_instance"] else None


def wait_for_poller(port: int, wanted: set[str], seconds: float) -> tuple[str, float]:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        current = poller_seen_by(port)
        if current in wanted:
            return current, time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"no poller among {wanted} after {seconds} s (last seen: {poller_seen_by(port)})")


def test_another_instance_polls_within_one_lease_after_the_holder_dies(
    instances: dict[str, tuple[int, subprocess.Popen[bytes]]], chaos_database_url: str
) -> None:
    any_port = next(iter(instances.values()))[0]
    holder, _ = wait_for_poller(any_port, set(instances), seconds=20)
    (survivor,) = set(instances) - {holder}
    survivor_port = instances[survivor][0]
    instances[holder][1].kill()  # no shutdown: the lease is not released, it has to expire
    instances[holder][1].wait(timeout=10)
    _, took = wait_for_poller(survivor_port, {survivor}, seconds=LEASE_SECONDS + 10)
    assert took <= LEASE_SECONDS + TICK_SECONDS + 1.5, f"takeover took {took:.1f} s"
    board = httpx.get(f"http://127.0.0.1:{survivor_port}/api/tokens", params={"limit": 1}, timeout=5).json()
    first = board["items"][0]["as_of"]
    time.sleep(TICK_SECONDS * 2.5)
    board = httpx.get(f"http://127.0.0.1:{survivor_port}/api/tokens", params={"limit": 1}, timeout=5).json()
    assert board["items"][0]["as_of"] > first, "prices stopped moving after the takeover"
    asyncio.run(_audit(chaos_database_url))  # the killed holder also ran order fills: books must balance


async def _audit(database_url: str) -> None:
    database = Database(create_engine(make_settings(database_url=database_url)))
    try:
        await assert_ledger_reconciles(database)
    finally:
        await database.dispose()
