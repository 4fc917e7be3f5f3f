from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from eaili5.app import create_app
from tests.conftest import make_settings


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_when_everything_is_up(client: httpx.AsyncClient, stack: str) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "kv": "ok"}}


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
