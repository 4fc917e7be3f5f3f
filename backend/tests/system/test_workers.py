"""`eaili5 serve --workers 2` as a real server: both processes answer, a tick reaches sockets on both,
and /metrics sums every worker. Needs PostgreSQL and Redis (the refusal without them is in test_cli)."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.chaos.servers import free_port
from tests.chaos.sockets import Socket, channel_message
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.tutor.test_resume import _wait_ready

pytestmark = [
    pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL and Redis (EAILI5_TEST_*_URL)"),
    pytest.mark.timeout(240),
]
BACKEND = Path(__file__).parents[2]
META_REQUESTS = 50
MAX_SOCKETS = 20


async def _admin(sql: str) -> None:
    assert TEST_DATABASE_URL
    connection = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture
def fresh_database() -> Iterator[str]:
    assert TEST_DATABASE_URL
    name = f"workers_{secrets.token_hex(4)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield TEST_DATABASE_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def server(fresh_database: str, tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """Two workers on a free port; yields the port and the server's log (JSON lines, one per request)."""
    assert TEST_REDIS_URL
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EAILI5_", "PROMETHEUS_"))}
    env.update(
        DATABASE_URL=fresh_database,
        REDIS_URL=TEST_REDIS_URL,
        EAILI5_ENVIRONMENT="test",
        EAILI5_DATA_DIR=str(tmp_path),
        EAILI5_FRONTEND_DIST="/nonexistent",
        EAILI5_LOG_LEVEL="INFO",
        EAILI5_MARKET_TICK_SECONDS="0.5",
    )
    subprocess.run(
        [sys.executable, "-m", "eaili5.cli", "migrate"], env=env, cwd=BACKEND, check=True, timeout=120
    )
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "eaili5.cli", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            cwd=BACKEND,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the workers are killed with their parent's group
        )
        try:
            _wait_ready(port, process)
            yield port, log_path
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _meta_pids(log_path: Path, expected: int) -> list[int]:
    """The worker pid of every /api/meta answer in the access log. A worker writes its access line after
    the response has gone out, so the last few lines may land a moment after the client has its answers:
    wait (briefly) until `expected` lines are there."""
    deadline = time.monotonic() + 10
    pids = _logged_meta_pids(log_path)
    while len(pids) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
        pids = _logged_meta_pids(log_path)
    return pids


def _logged_meta_pids(log_path: Path) -> list[int]:
    pids = []
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("http", {}).get("route") == "/api/meta":
            pids.append(int(record["process"]))
    return pids


def _get_meta(port: int) -> int:
    # A new connection per request: a kept-alive one would stay with whichever worker accepted it.
    with httpx.Client(timeout=20) as client:
        return client.get(f"http://127.0.0.1:{port}/api/meta", headers={"Connection": "close"}).status_code


def _metric_sum(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_two_workers_share_the_load_the_ticks_and_the_metrics(server: tuple[int, Path]) -> None:
    port, log_path = server
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(_get_meta, [port] * META_REQUESTS))
    assert statuses == [200] * META_REQUESTS

    pids = _meta_pids(log_path, META_REQUESTS)
    assert len(pids) == META_REQUESTS
    assert len(set(pids)) == 2, f"answers came from {set(pids)}"

    # Neither worker alone served them all, so this total is the sum over both. (Counted once the
    # response has gone out, like the access line: read after the log shows them all.)
    metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=20)
    assert metrics.status_code == 200
    served = _metric_sum(metrics.text, "http_requests_total", route="/api/meta", status="200")
    assert served == META_REQUESTS

    asyncio.run(_ticks_reach_sockets_on_both_workers(port))


async def _ticks_reach_sockets_on_both_workers(port: int) -> None:
    """Sockets spread over both workers all get a `prices` tick, though only one worker polls; /metrics
    counts the sockets of both."""
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(timeout=20, headers={"Connection": "close"}) as client:
        token = (await client.post(f"{base}/api/session")).json()["token"]
        sockets: list[Socket] = []
        try:
            while not await _spread(client, base, len(sockets)):
                assert len(sockets) < MAX_SOCKETS, "every socket landed on one worker"
                sockets.append(await Socket.signed_in(f"ws://127.0.0.1:{port}/ws", token))
            marks = []
            for number, socket in enumerate(sockets):
                reply = await socket.request({"type": "subscribe", "id": f"s{number}", "channel": "prices"})
                assert reply["type"] == "subscribed", reply
                marks.append(socket.mark())
            for socket, mark in zip(sockets, marks, strict=True):
                await socket.wait_for(channel_message("prices"), "a prices tick", since=mark, timeout=30)
            metrics = (await client.get(f"{base}/metrics")).text
            assert _metric_sum(metrics, "ws_connections_active") == len(sockets)
        finally:
            for socket in sockets:
                await socket.close()


async def _spread(client: httpx.AsyncClient, base: str, opened: int) -> bool:
    """Whether the open sockets sit on both workers: some worker holds some, but not all, of them."""
    if opened < 2:
        return False
    for _ in range(6):  # each answer comes from whichever worker accepted it
        counts = (await client.get(f"{base}/api/realtime/connections")).json()
        if 0 < counts["instance"] < opened:
            return True
    return False
