from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from eaili5.app import create_app
from tests.chaos.servers import free_port
from tests.conftest import make_settings

BACKEND = Path(__file__).parents[2]


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_when_everything_is_up(client: httpx.AsyncClient, app: Any, stack: str) -> None:
    await _warm_up_done(app)
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "kv": "ok", "tutor": "ok"}}


async def _warm_up_done(app: Any) -> None:
    warming = [task for task in asyncio.all_tasks() if task.get_name() == "tutor-warm-up"]
    await asyncio.wait_for(asyncio.gather(*warming), 60)
    assert app.state.eaili5.warm_up == "ok"


def test_a_new_process_is_ready_only_once_the_tutor_is_warm(tmp_path: Path) -> None:
    """A fresh process builds the tutor's index (~2 s of CPU) after start-up: /readyz says 503
    "warming" until then (Cloud Run's start-up probe waits on it), then 200."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EAILI5_", "DATABASE_URL", "REDIS_URL"))}
    env.update(EAILI5_DATA_DIR=str(tmp_path), EAILI5_FRONTEND_DIST="/nonexistent")
    subprocess.run(
        [sys.executable, "-m", "eaili5.cli", "migrate"], env=env, cwd=BACKEND, check=True, timeout=120
    )
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "eaili5.cli", "serve", "--port", str(port)],
        env=env,
        cwd=BACKEND,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        answers = _readiness_until_ready(port, process)
        assert answers[0] == (503, "warming"), answers[:3]  # the index takes seconds; the first probe, ms
        assert answers[-1] == (200, "ok")
        assert all(answer == (503, "warming") for answer in answers[:-1])
    finally:
        process.terminate()
        process.wait(timeout=30)


def _readiness_until_ready(port: int, process: subprocess.Popen[bytes]) -> list[tuple[int, str]]:
    answers: list[tuple[int, str]] = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited during start-up"
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        except httpx.TransportError:  # not listening yet
            time.sleep(0.02)
            continue
        answers.append((response.status_code, response.json()["checks"]["tutor"]))
        if response.status_code == 200:
            return answers
        time.sleep(0.05)
    raise AssertionError(f"never ready: {answers[-3:]}")


async def test_meta_reports_backends_without_secrets(client: httpx.AsyncClient, stack: str) -> None:
    body = (await client.get("/api/meta")).json()
    expected = {"embedded": ("sqlite", "memory"), "postgres-redis": ("postgresql", "redis")}[stack]
    assert (body["backends"]["database"], body["backends"]["kv"]) == expected
    assert body["backends"]["market"] == "simulated"


async def test_metrics_expose_request_counts_by_route_template(client: httpx.AsyncClient) -> None:
    await client.get("/api/me")  # 401, counted under its template
    await client.get("/api/nope")
    text = (await client.get("/metrics")).text
    assert 'http_requests_total{method="GET",route="/api/me",status="401"} 1.0' in text
    assert 'route="unmatched"' in text  # raw unknown paths never become labels
    assert "http_request_duration_seconds_bucket" in text
    assert "ws_connections_active" in text


@pytest.mark.parametrize("down", ["database", "kv"])
async def test_readyz_names_what_is_down(down: str, tmp_path: Path) -> None:
    overrides: dict[str, Any] = {"data_dir": tmp_path}
    if down == "database":
        overrides["database_url"] = "postgresql://nobody@127.0.0.1:9/nowhere"
    else:
        overrides["redis_url"] = "redis://127.0.0.1:9/0"
    app = create_app(make_settings(**overrides), configure_logs=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.get("/readyz")
            alive = await http.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"][down].startswith("down")
    other = "kv" if down == "database" else "database"
    assert response.json()["checks"][other] == "ok"
    assert alive.status_code == 200
