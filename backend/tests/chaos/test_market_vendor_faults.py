"""Market vendors misbehave (429, time-outs, 5xx, malformed payloads), seen through the HTTP API.

What a person sees must say how good the data is: the last good prices stay, labelled `stale` with
their original source and time; a fallback source's prices carry that source's name (`simulated`
when the chain ends in the built-in market); nobody trades at a stale price (a clear 409 `StalePrice`,
nothing written); `/api/market/status` names the failure; and fresh prices return by themselves once the
vendor answers again. Real vendor adapters talk to a loopback HTTP server speaking the vendors' wire
formats, on both storage stacks. Each poll round is driven with `refresh_prices()`, which is what
the poller calls.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from eaili5.app import create_app
from eaili5.core.settings import Settings
from tests.chaos.ledger import assert_ledger_reconciles
from tests.conftest import auth, new_guest
from tests.market.providers.loopback import HANG, MALFORMED, RATE_LIMITED, SERVER_ERROR, LoopbackVendor, Reply
from tests.market.providers.test_chain import serve_both_vendors
from tests.market.providers.tokens import WETH

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(180)]
BACK_OFF_SECONDS = 1  # a short Retry-After, so the test can wait it out
FAILURES = {
    "429": Reply(429, RATE_LIMITED.body, {"Retry-After": str(BACK_OFF_SECONDS)}),
    "503": Reply(503, {"error": "maintenance"}),
    "500": SERVER_ERROR,
    "malformed": MALFORMED,
    "wrong-shape": Reply(200, {"data": "nothing here"}),
    "timeout": HANG,
}


@pytest.fixture
async def vendor() -> AsyncIterator[LoopbackVendor]:
    server = LoopbackVendor()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def chain(request: pytest.FixtureRequest) -> list[str]:
    return list(getattr(request, "param", ["geckoterminal", "dexscreener"]))


@pytest.fixture
async def market_app(settings: Settings, vendor: LoopbackVendor, chain: list[str]) -> AsyncIterator[Any]:
    serve_both_vendors(vendor)
    current = settings.model_copy(
        update={
            "market_sources": chain,
            "geckoterminal_base_url": f"{vendor.url}/api/v2",
            "dexscreener_base_url": vendor.url,
            "market_price_refresh_seconds": 3600.0,  # the poller's first round only; the test drives the rest
        }
    )
    app = create_app(current, configure_logs=False)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def api(market_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=market_app, client=("203.0.113.30", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60) as http:
        yield http


async def weth_row(api: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any]]:
    listing = (await api.get("/api/tokens", params={"q": "WETH"})).json()
    [row] = listing["items"]
    return listing, row


async def first_round_done(api: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any]]:
    """The poller's start-up round has stored its board (it polls once: the period is an hour)."""
    while True:
        status = (await api.get("/api/market/status")).json()
        first = await weth_row(api)
        await asyncio.sleep(0.3)
        if status["poller_instance"] and first == await weth_row(api):
            return first


def vendor_recovers(vendor: LoopbackVendor) -> None:
    vendor._failures.clear()  # the failures still queued are dropped: the vendors answer again


async def buy_weth(api: httpx.AsyncClient, token: str) -> httpx.Response:
    body = {"type": "market", "side": "buy", "token": WETH, "usd_amount": "5"}
    return await api.post(
        "/api/portfolio/orders", json=body, headers={**auth(token), "Idempotency-Key": secrets.token_hex(8)}
    )


@pytest.mark.parametrize("failure", FAILURES, ids=list(FAILURES))
async def test_failing_vendors_leave_stale_but_labelled_prices_and_recover(
    market_app: Any, api: httpx.AsyncClient, vendor: LoopbackVendor, failure: str
) -> None:
    market = market_app.state.eaili5.market
    listing, good = await first_round_done(api)
    assert not listing["stale"] and not good["stale"] and good["source"] in ("geckoterminal", "dexscreener")
    token, _ = await new_guest(api)
    assert (await buy_weth(api, token)).status_code == 201

    vendor.fail_next(*[FAILURES[failure]] * 10)  # every vendor, every call of the round
    await market.refresh_prices()
    listing, stale = await weth_row(api)
    assert listing["stale"] and stale["stale"], stale
    assert (stale["price_usd"], stale["as_of"], stale["source"]) == (
        good["price_usd"],
        good["as_of"],
        good["source"],
    )
    detail = (await api.get(f"/api/tokens/{WETH}")).json()
    assert detail["stale"] and detail["price_usd"] == good["price_usd"]
    status = (await api.get("/api/market/status")).json()
    assert all(source["last_error"] for source in status["sources"]), status
    refused = await buy_weth(api, token)  # never a trade at a stale price
    assert refused.status_code == 409 and refused.json()["error"] == "StalePrice", refused.text
    assert "fresh price" in refused.json()["detail"] and "did not trade" in refused.json()["detail"]
    trades = (await api.get("/api/portfolio/trades", headers=auth(token))).json()["items"]
    assert len(trades) == 1, "a refused order must write nothing"

    vendor_recovers(vendor)
    if failure == "429":
        await market.refresh_prices()  # within Retry-After: no vendor is asked, prices stay stale
        assert (await weth_row(api))[1]["stale"]
        await asyncio.sleep(BACK_OFF_SECONDS + 0.5)
    await market.refresh_prices()
    listing, fresh = await weth_row(api)
    assert not fresh["stale"] and not listing["stale"], fresh
    assert fresh["as_of"] > good["as_of"] and fresh["source"] == good["source"], fresh
    assert (await buy_weth(api, token)).status_code == 201
    await assert_ledger_reconciles(market_app.state.eaili5.db)


async def test_a_rate_limited_vendor_hands_over_to_the_next_one(
    market_app: Any, api: httpx.AsyncClient, vendor: LoopbackVendor
) -> None:
    await first_round_done(api)
    vendor.fail_next(RATE_LIMITED)  # GeckoTerminal is asked first and says 429; DexScreener is fine
    await market_app.state.eaili5.market.refresh_prices()
    _, row = await weth_row(api)
    assert row["source"] == "dexscreener" and not row["stale"], row
    status = (await api.get("/api/market/status")).json()
    gecko = status["sources"][0]
    assert gecko["backing_off"] and "rate limiting" in gecko["last_error"], gecko


@pytest.mark.parametrize("chain", [["geckoterminal", "simulated"]], indirect=True)
async def test_the_chain_ends_in_the_simulated_market_labelled_as_such(
    market_app: Any, api: httpx.AsyncClient, vendor: LoopbackVendor
) -> None:
    vendor.fail_next(*[SERVER_ERROR] * 10)
    await market_app.state.eaili5.market.refresh_prices()
    _, row = await weth_row(api)
    assert row["source"] == "simulated" and not row["stale"] and row["price_usd"], row
    candles = (await api.get(f"/api/tokens/{WETH}/candles", params={"tf": "1h", "limit": 5})).json()
    assert candles["source"] == "simulated" and candles["candles"], candles
    status = (await api.get("/api/market/status")).json()
    assert status["sources"][0]["name"] == "geckoterminal" and status["sources"][0]["last_error"], status


async def test_candles_fall_back_or_fail_clearly(
    market_app: Any, api: httpx.AsyncClient, vendor: LoopbackVendor
) -> None:
    """GeckoTerminal is the only candle source of this chain: when it fails, a clear 502, not a 500."""
    vendor.fail_next(*[SERVER_ERROR] * 10)
    response = await api.get(f"/api/tokens/{WETH}/candles", params={"tf": "1h", "limit": 5})
    assert response.status_code == 502, response.text
    assert response.json()["error"] == "MarketDataUnavailable" and response.json()["detail"]
    vendor_recovers(vendor)
    again = await api.get(f"/api/tokens/{WETH}/candles", params={"tf": "1h", "limit": 5})
    assert again.status_code == 200 and again.json()["source"] == "geckoterminal"
