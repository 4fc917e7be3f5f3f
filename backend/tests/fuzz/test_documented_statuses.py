"""Every status the API really answers is in the OpenAPI document for that operation.

Schemathesis only sees what a healthy, generously limited server answers. These provoke the rest on
purpose and check each answer against the document the app serves: 401 without a session on every
operation that needs one, 429 from the per-IP limiter on every `/api/*` operation, and 502 when the
market vendors fail (candles, recent trades).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from eaili5.app import create_app
from eaili5.core.settings import Settings
from tests.market.providers.loopback import SERVER_ERROR, LoopbackVendor
from tests.market.providers.tokens import WETH

pytestmark = pytest.mark.fuzz
LIMIT = 2  # requests per minute per client IP for this module's app
EXAMPLE_PATH_VALUES = {"address": WETH, "lesson_id": "what-is-a-wallet", "term_id": "gas"}


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"rate_limit_default": f"{LIMIT}/minute"}


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    return dict((await client.get("/api/openapi.json", headers={"X-Forwarded-For": "x"})).json())


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if path.startswith("/api/")
    ]


def concrete(path: str) -> str:
    """The path with each `{param}` filled by a well-formed value (a random id unless named)."""
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        name = path[start + 1 : end]
        path = path[:start] + EXAMPLE_PATH_VALUES.get(name, str(uuid.uuid4())) + path[end + 1 :]
    return path


def client_at(app: Any, ip: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_every_operation_documents_its_rate_limit_answer(app: Any, document: dict[str, Any]) -> None:
    """Each operation from its own client IP, past the limit: the 429 must be documented there."""
    undocumented = []
    for n, (method, path, operation) in enumerate(operations(document)):
        async with client_at(app, f"198.51.100.{n + 1}") as http:
            statuses = [(await http.request(method, concrete(path))).status_code for _ in range(LIMIT + 1)]
        assert statuses[-1] == 429, (method, path, statuses)
        if "429" not in operation["responses"]:
            undocumented.append(f"{method} {path}")
    assert not undocumented, f"429 answered but not documented: {undocumented}"


async def test_every_operation_that_needs_a_session_documents_401(app: Any, document: dict[str, Any]) -> None:
    undocumented, checked = [], 0
    for n, (method, path, operation) in enumerate(operations(document)):
        async with client_at(app, f"198.51.101.{n + 1}") as http:
            response = await http.request(method, concrete(path), json={})
        if response.status_code != 401:
            continue
        checked += 1
        assert response.json()["error"] == "Unauthorized", response.text
        if "401" not in operation["responses"]:
            undocumented.append(f"{method} {path}")
    assert checked > 30, "most of the API needs a session"
    assert not undocumented, f"401 answered but not documented: {undocumented}"


@pytest.fixture
async def vendor() -> AsyncIterator[LoopbackVendor]:
    server = LoopbackVendor()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_failing_vendors_answer_a_documented_502(settings: Settings, vendor: LoopbackVendor) -> None:
    current = settings.model_copy(
        update={
            "rate_limit_default": "1000/minute",
            "market_sources": ["geckoterminal", "bitquery"],
            "geckoterminal_base_url": f"{vendor.url}/api/v2",
            "bitquery_url": f"{vendor.url}/graphql",
            "bitquery_api_key": SecretStr("bitquery-test-key"),
            "market_price_refresh_seconds": 3600.0,
        }
    )
    app = create_app(current, configure_logs=False)
    async with app.router.lifespan_context(app), client_at(app, "198.51.102.1") as http:
        document = (await http.get("/api/openapi.json")).json()
        for path in ("/api/tokens/{address}/candles", "/api/tokens/{address}/trades"):
            vendor.fail_next(*[SERVER_ERROR] * 5)
            response = await http.get(concrete(path), params={"limit": 3})
            assert response.status_code == 502, (path, response.text)
            assert response.json()["error"] == "MarketDataUnavailable" and response.json()["detail"]
            assert "502" in document["paths"][path]["get"]["responses"], f"502 not documented for {path}"
