"""Bad input as a new user (or an attacker) would send it: always a clear 4xx, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from eaili5.app import create_app
from tests.conftest import auth, make_settings, new_guest


async def test_malformed_json_is_422_with_a_field_path(client: httpx.AsyncClient) -> None:
    token, _ = await new_guest(client)
    response = await client.patch(
        "/api/me/preferences",
        content=b'{"reading_level": ',
        headers={**auth(token), "content-type": "application/json"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "ValidationError"
    assert body["detail"][0]["type"] == "json_invalid"


async def test_wrong_types_and_unknown_fields_are_422(client: httpx.AsyncClient) -> None:
    token, _ = await new_guest(client)
    for payload in ({"reading_level": 5}, {"reading_level": "expert"}, {"colour": "red"}, ["list"]):
        response = await client.patch("/api/me/preferences", json=payload, headers=auth(token))
        assert response.status_code == 422, payload
        assert response.json()["error"] == "ValidationError"
        assert "input" not in response.json()["detail"][0]  # never echo input back


async def test_unknown_route_and_wrong_method(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/does-not-exist")
    assert missing.status_code == 404
    assert missing.json() == {"error": "NotFound", "detail": "There is nothing at this address."}
    wrong = await client.put("/api/session")
    assert wrong.status_code == 405
    assert wrong.json()["error"] == "MethodNotAllowed"


async def test_oversized_body_by_content_length(client: httpx.AsyncClient) -> None:
    token, _ = await new_guest(client)
    big = b'{"time_zone": "' + b"x" * 2_000_000 + b'"}'
    response = await client.patch(
        "/api/me/preferences",
        content=big,
        headers={**auth(token), "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"] == "PayloadTooLarge"


async def test_oversized_streamed_body(client: httpx.AsyncClient) -> None:
    token, _ = await new_guest(client)

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"time_zone": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    response = await client.patch(
        "/api/me/preferences",
        content=chunks(),
        headers={**auth(token), "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"] == "PayloadTooLarge"


async def test_security_headers_and_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/meta", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    forged = await client.get("/api/meta", headers={"X-Request-ID": "bad id\nwith newline"})
    assert forged.headers["x-request-id"] != "bad id\nwith newline"


async def test_cors_allows_only_configured_origins(client: httpx.AsyncClient) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
    }
    allowed = await client.options("/api/session", headers={"Origin": "http://localhost:5173", **preflight})
    assert allowed.headers.get("access-control-allow-origin") == "http://localhost:5173"
    denied = await client.options("/api/session", headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in denied.headers


async def test_unexpected_errors_are_500_without_internals(app: Any) -> None:
    async def explode() -> None:
        raise RuntimeError("secret internal detail")

    app.add_api_route("/api/test-explode", explode)
    # Starlette re-raises after rendering the 500 so the server can log it; a real server
    # swallows it, so this client must too.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/api/test-explode")
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "InternalError"
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"rate_limit_default": "5/minute", "trusted_proxies": ["203.0.113.10"]}


async def test_default_rate_limit_returns_429_with_retry_after(client: httpx.AsyncClient) -> None:
    statuses = [(await client.get("/api/meta")).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    response = await client.get("/api/meta")
    assert response.json()["error"] == "RateLimited"
    assert int(response.headers["retry-after"]) >= 1
    assert (await client.get("/healthz")).status_code == 200  # probes are never limited


async def test_forwarded_for_is_believed_from_a_trusted_proxy(client: httpx.AsyncClient) -> None:
    # The test client connects from 203.0.113.10, configured as a trusted proxy: each
    # forwarded client gets its own budget.
    for ip in ("198.51.100.1", "198.51.100.2"):
        statuses = [
            (await client.get("/api/meta", headers={"X-Forwarded-For": ip})).status_code for _ in range(5)
        ]
        assert statuses == [200] * 5


async def test_forwarded_for_is_ignored_from_an_untrusted_peer(stack: str, tmp_path: Any) -> None:
    settings = make_settings(data_dir=tmp_path, rate_limit_default="3/minute", trusted_proxies=[])
    app = create_app(settings, configure_logs=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("192.0.2.7", 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            statuses = [
                (await http.get("/api/meta", headers={"X-Forwarded-For": f"10.0.0.{i}"})).status_code
                for i in range(4)
            ]
    assert statuses == [200, 200, 200, 429]
