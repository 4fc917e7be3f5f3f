"""The market service over real vendor adapters talking to a loopback vendor: fallback, back-off,
stale data and the shared call budget, on both storage stacks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
from pydantic import SecretStr

from eaili5.app import create_app
from eaili5.core.kv import create_kv
from eaili5.core.settings import Settings
from eaili5.market.schemas import Timeframe
from eaili5.market.service import MarketService
from eaili5.market.snapshot import load_snapshot_tokens
from eaili5.market.sources import build_providers
from tests.market.providers.loopback import LoopbackVendor, Reply, fixture
from tests.market.providers.tokens import AERO, DEGEN, WETH

MULTI = r"/api/v2/networks/base/tokens/multi/(?P<addresses>[^/]+)"
OHLCV = r"/api/v2/networks/base/pools/(?P<pool>[^/]+)/ohlcv/(?P<period>minute|hour|day)"
PAIRS = r"/tokens/v1/base/(?P<addresses>[^/]+)"
TRENDING = r"/api/v2/networks/base/trending_pools"


def vendor_settings(settings: Settings, vendor: LoopbackVendor, **extra: Any) -> Settings:
    return settings.model_copy(
        update={
            "market_sources": ["geckoterminal", "dexscreener"],
            "geckoterminal_base_url": f"{vendor.url}/api/v2",
            "dexscreener_base_url": vendor.url,
            "market_price_refresh_seconds": 3600.0,  # the poller's first round only; tests drive the rest
            **extra,
        }
    )


def serve_both_vendors(vendor: LoopbackVendor) -> None:
    vendor.route("GET", MULTI, Reply(200, fixture("geckoterminal_tokens_multi.json")))
    vendor.route("GET", OHLCV, Reply(200, fixture("geckoterminal_ohlcv_hour.json")))
    vendor.route("GET", PAIRS, Reply(200, fixture("dexscreener_tokens.json")))


def calls(vendor: LoopbackVendor, prefix: str) -> int:
    return sum(request.path.startswith(prefix) for request in vendor.requests)


@asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, configure_logs=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@asynccontextmanager
async def vendor_market(settings: Settings, vendor: LoopbackVendor) -> AsyncIterator[MarketService]:
    """A market service over the real adapters, pointed at the loopback vendor, with its own KV client."""
    kv = create_kv(settings)
    await kv.start()
    try:
        async with httpx.AsyncClient() as http:
            current = vendor_settings(settings, vendor)
            tokens = load_snapshot_tokens()
            yield MarketService(current, kv, build_providers(current, http, tokens), tokens)
    finally:
        await kv.close()


async def test_real_adapter_serves_the_api(settings: Settings, vendor: LoopbackVendor) -> None:
    serve_both_vendors(vendor)
    async with app_client(vendor_settings(settings, vendor)) as client:
        body = (await client.get("/api/tokens", params={"q": "WETH"})).json()
        assert body["source"] == "geckoterminal"
        [weth] = body["items"]
        assert weth["source"] == "geckoterminal" and weth["price_usd"] is not None and not weth["stale"]
        candles = (await client.get(f"/api/tokens/{WETH}/candles", params={"tf": "1h", "limit": 5})).json()
        assert candles["source"] == "geckoterminal" and candles["candles"]
        before = calls(vendor, "/api/v2/networks/base/pools")
        await client.get(f"/api/tokens/{WETH}/candles", params={"tf": "1h", "limit": 5})
        assert calls(vendor, "/api/v2/networks/base/pools") == before  # served from the cache
        status = (await client.get("/api/market/status")).json()
        gecko = status["sources"][0]
        assert (
            gecko["name"] == "geckoterminal" and gecko["last_success_at"] and gecko["budget_per_minute"] == 30
        )


async def test_429_backs_off_and_falls_back_to_the_next_source(
    settings: Settings, vendor: LoopbackVendor
) -> None:
    serve_both_vendors(vendor)
    async with vendor_market(settings, vendor) as service:
        vendor.fail_next(Reply(429, {"status": "429"}, headers={"Retry-After": "120"}))
        board = await service.refresh_prices()
        assert board[AERO.lower()].source == "dexscreener"  # priced by the fallback
        gecko_calls = calls(vendor, "/api/v2")
        await service.refresh_prices()
        assert calls(vendor, "/api/v2") == gecko_calls  # still backing off: GeckoTerminal not called
        status = await service.status()
        assert status.sources[0].backing_off and "rate limiting" in (status.sources[0].last_error or "")


async def test_when_every_source_fails_last_good_prices_are_served_stale(
    settings: Settings, vendor: LoopbackVendor
) -> None:
    serve_both_vendors(vendor)
    async with vendor_market(settings, vendor) as service:
        good = await service.refresh_prices()
        vendor.fail_next(*[Reply(503, {"error": "down"})] * 10)
        board = await service.refresh_prices()
        weth = board[WETH.lower()]
        assert (
            weth.stale
            and weth.as_of == good[WETH.lower()].as_of
            and weth.price_usd == good[WETH.lower()].price_usd
        )
        detail = await service.token_detail(WETH)
        assert detail.stale and detail.risk_flags[0].code == "no_price"


async def test_call_budget_holds_across_two_instances(settings: Settings, vendor: LoopbackVendor) -> None:
    serve_both_vendors(vendor)
    current = vendor_settings(
        settings, vendor, market_sources=["geckoterminal"], budget_geckoterminal_per_minute=3
    )
    tokens = load_snapshot_tokens()
    # Two instances: with Redis each has its own client; in-process there is one KV per process.
    first_kv = create_kv(current)
    second_kv = create_kv(current) if current.redis_url else first_kv
    async with httpx.AsyncClient() as http:
        services = [
            MarketService(current, kv, build_providers(current, http, tokens), tokens)
            for kv in (first_kv, second_kv)
        ]
        for _ in range(4):
            for service in services:
                await service.refresh_prices()
        assert calls(vendor, "/api/v2") == 3
        status = await services[1].status()
        assert status.sources[0].budget_remaining == 0
        assert "budget" in (status.sources[0].last_error or "")
    await first_kv.close()
    if second_kv is not first_kv:
        await second_kv.close()


async def test_trending_ranks_the_vendors_trending_tokens_first(
    settings: Settings, vendor: LoopbackVendor
) -> None:
    serve_both_vendors(vendor)
    vendor.route("GET", TRENDING, Reply(200, fixture("geckoterminal_trending_pools.json")))
    async with app_client(vendor_settings(settings, vendor)) as client:
        # The poller's first round asks for trending pools (then once a minute): wait for it to land.
        for _ in range(100):
            items = (await client.get("/api/tokens", params={"sort": "trending", "limit": 3})).json()["items"]
            if [item["symbol"] for item in items[:2]] == ["DEGEN", "AERO"]:
                break
            await asyncio.sleep(0.05)
    # Unknown tokens (not in our universe) and repeats are dropped; the vendor's order is kept.
    assert [item["symbol"] for item in items[:2]] == ["DEGEN", "AERO"]
    trending = [r for r in vendor.requests if r.path.endswith("/trending_pools")]
    assert len(trending) == 1 and trending[0].param("include") == "base_token"


async def test_trending_failure_keeps_the_last_ranking(settings: Settings, vendor: LoopbackVendor) -> None:
    serve_both_vendors(vendor)
    vendor.route("GET", TRENDING, Reply(200, fixture("geckoterminal_trending_pools.json")))
    async with vendor_market(settings, vendor) as service:
        first = await service.refresh_trending()
        vendor.fail_next(Reply(500, {"error": "boom"}), Reply(500, {"error": "boom"}))
        assert await service.refresh_trending() == first == [DEGEN.lower(), AERO.lower()]


async def test_recent_trades_come_from_bitquery_when_keyed_and_are_cached(
    settings: Settings, vendor: LoopbackVendor
) -> None:
    serve_both_vendors(vendor)
    vendor.route("POST", "/graphql", Reply(200, fixture("bitquery_trades.json")))
    keyed = vendor_settings(
        settings,
        vendor,
        market_sources=["geckoterminal", "bitquery"],
        bitquery_url=f"{vendor.url}/graphql",
        bitquery_api_key=SecretStr("bitquery-test-key"),
    )
    async with app_client(keyed) as client:
        first = await client.get(f"/api/tokens/{WETH}/trades", params={"limit": 3})
        assert first.status_code == 200, first.text
        assert first.json()["source"] == "bitquery" and len(first.json()["trades"]) == 3
        await client.get(f"/api/tokens/{WETH}/trades", params={"limit": 3})
        # The second viewer is served from the cache. (Only the trades queries count: on a slow machine the
        # price poller can fall back to Bitquery's price query on the same endpoint.)
        trades_queries = [
            r for r in vendor.requests if r.path == "/graphql" and "query Trades" in r.json()["query"]
        ]
        assert len(trades_queries) == 1


async def test_recent_trades_without_a_source_that_has_them_is_a_clear_503(
    settings: Settings, vendor: LoopbackVendor
) -> None:
    serve_both_vendors(vendor)
    async with app_client(vendor_settings(settings, vendor)) as client:
        response = await client.get(f"/api/tokens/{WETH}/trades")
        assert response.status_code == 503
        assert "BITQUERY_API_KEY" in response.json()["detail"]


async def test_a_failing_trades_vendor_is_a_502_and_counts_against_it(
    settings: Settings, vendor: LoopbackVendor
) -> None:
    serve_both_vendors(vendor)
    vendor.route("POST", "/graphql", Reply(500, {"errors": [{"message": "boom"}]}))
    keyed = vendor_settings(
        settings,
        vendor,
        market_sources=["geckoterminal", "bitquery"],
        bitquery_url=f"{vendor.url}/graphql",
        bitquery_api_key=SecretStr("bitquery-test-key"),
    )
    async with app_client(keyed) as client:
        response = await client.get(f"/api/tokens/{WETH}/trades")
        assert response.status_code == 502 and "recent trades" in response.json()["detail"]
        status = (await client.get("/api/market/status")).json()
        bitquery = next(source for source in status["sources"] if source["name"] == "bitquery")
        assert bitquery["last_error"]


async def test_a_vendors_candles_as_json_are_the_series_the_models_give(
    settings: Settings, vendor: LoopbackVendor
) -> None:
    """The API writes a vendor's chart straight from the KV cache: the same document as the models."""
    serve_both_vendors(vendor)
    async with vendor_market(settings, vendor) as service:
        written = orjson.loads(await service.candles_json(WETH, Timeframe.H1, 5, None))
        series = (await service.candles(WETH, Timeframe.H1, 5, None)).model_dump(mode="json")
        assert written.pop("as_of") and series.pop("as_of")
        assert written == series and written["source"] == "geckoterminal" and len(written["candles"]) == 5
        assert calls(vendor, "/api/v2/networks/base/pools") == 1  # the second read came from the cache
