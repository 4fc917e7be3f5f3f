"""Two real uvicorn processes sharing PostgreSQL and Redis: fan-out crosses instances."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from eaili5.app import create_app
from eaili5.core.settings import Settings
from tests.conftest import LiveServer, auth


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_instance(settings: Settings, port: int, name: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "REDIS_URL": settings.redis_url or "",
        "EAILI5_KV_PREFIX": settings.kv_prefix,
        "EAILI5_INSTANCE_ID": name,
        "EAILI5_ENVIRONMENT": "test",
        "EAILI5_FRONTEND_DIST": "/nonexistent",
        "EAILI5_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "eaili5.cli", "serve", "--port", str(port)]
    return subprocess.Popen(command, env=env, cwd=Path(__file__).parents[2])


def _wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90  # start-up alone took 26 s on a busy machine
    while time.monotonic() < deadline:
        assert process.poll() is None, "instance exited during start-up"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"instance on port {port} never became ready")


@pytest.fixture
def two_instances(stack: str, settings: Settings) -> Iterator[tuple[str, str]]:
    if stack != "postgres-redis":
        pytest.skip("fan-out across processes needs the shared Redis stack (runs when it is configured)")
    ports = [_free_port(), _free_port()]
    processes = [_start_instance(settings, port, f"inst-{i}") for i, port in enumerate(ports)]
    try:
        for port, process in zip(ports, processes, strict=True):
            _wait_ready(port, process)
        yield f"127.0.0.1:{ports[0]}", f"127.0.0.1:{ports[1]}"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


async def test_session_end_on_instance_a_closes_socket_on_instance_b(
    two_instances: tuple[str, str],
) -> None:
    a, b = two_instances
    async with httpx.AsyncClient() as http:
        token = (await http.post(f"http://{a}/api/session")).json()["token"]
        async with connect(f"ws://{b}/ws") as ws:
            await ws.send(json.dumps({"type": "auth", "token": token}))
            assert json.loads(await ws.recv())["type"] == "ready"
            await asyncio.sleep(0.5)  # B reports its count shortly after a change
            counts = (await http.get(f"http://{a}/api/realtime/connections")).json()
            assert counts["instances"] == 2 and counts["total"] == 1  # B's socket, seen from A
            assert (await http.delete(f"http://{a}/api/session", headers=auth(token))).status_code == 204
            assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "session_ended"
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 5)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


async def test_message_published_by_one_app_reaches_a_socket_on_another(
    stack: str, settings: Settings, live_server: LiveServer
) -> None:
    if stack != "postgres-redis":
        pytest.skip("needs the shared Redis stack")
    publisher = create_app(settings, configure_logs=False)
    async with (
        publisher.router.lifespan_context(publisher),
        httpx.AsyncClient(base_url=live_server.http_url) as http,
    ):
        body = (await http.post("/api/session")).json()
        async with connect(live_server.ws_url) as ws:
            await ws.send(json.dumps({"type": "auth", "token": body["token"]}))
            await ws.recv()
            channel = f"user:{body['user']['id']}"
            await ws.send(json.dumps({"type": "subscribe", "channel": channel}))
            await ws.recv()
            await publisher.state.eaili5.hub.publish(channel, {"from": "the other instance"})
            frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert frame == {"type": "message", "channel": channel, "data": {"from": "the other instance"}}


async def test_ticks_from_the_polling_instance_reach_subscribers_on_the_other(
    two_instances: tuple[str, str],
) -> None:
    a, b = two_instances
    async with httpx.AsyncClient() as http:
        poller = None
        for _ in range(50):
            poller = (await http.get(f"http://{a}/api/market/status")).json()["poller_instance"]
            if poller:
                break
            await asyncio.sleep(0.1)
        assert poller in ("inst-0", "inst-1")
        listener = b if poller == "inst-0" else a  # connect to the instance that does NOT poll
        token = (await http.post(f"http://{listener}/api/session")).json()["token"]
    async with connect(f"ws://{listener}/ws") as ws:
        await ws.send(json.dumps({"type": "auth", "token": token}))
        await ws.recv()
        await ws.send(json.dumps({"type": "subscribe", "channel": "prices"}))
        assert json.loads(await ws.recv())["type"] == "subscribed"
        frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert frame["channel"] == "prices" and frame["data"]["ticks"]
