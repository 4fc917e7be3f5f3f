"""CoinGecko adapter against a loopback server speaking `simple/token_price`."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from eaili5.market.errors import MarketDataUnavailable
from eaili5.market.providers.coingecko import CoinGeckoProvider
from eaili5.market.schemas import Timeframe
from tests.market.providers.loopback import LoopbackVendor, Reply, fixture
from tests.market.providers.tokens import BRETT, DEGEN, TOKENS, TOSHI, USDC, WETH

PRICE = r"/api/v3/simple/token_price/base"
KEY = "CG-demo-key-for-tests"


def provider(vendor: LoopbackVendor, http: httpx.AsyncClient, api_key: str | None = KEY) -> CoinGeckoProvider:
    return CoinGeckoProvider(http, TOKENS, base_url=f"{vendor.url}/api/v3", api_key=api_key, timeout=5.0)


@pytest.fixture
def gecko(vendor: LoopbackVendor) -> LoopbackVendor:
    vendor.route("GET", PRICE, Reply(200, fixture("coingecko_token_price.json")))
    return vendor


async def test_prices_request_with_the_demo_key_header(
    gecko: LoopbackVendor, http: httpx.AsyncClient
) -> None:
    wanted = [WETH, USDC, BRETT]
    await provider(gecko, http).get_prices(wanted)
    [request] = gecko.requests
    assert request.path == "/api/v3/simple/token_price/base"
    assert request.query == {
        "contract_addresses": [",".join(address.lower() for address in wanted)],
        "vs_currencies": ["usd"],
        "include_24hr_change": ["true"],
        "include_24hr_vol": ["true"],
        "include_market_cap": ["true"],
    }
    assert request.headers["x-cg-demo-api-key"] == KEY


async def test_no_key_no_header(gecko: LoopbackVendor, http: httpx.AsyncClient) -> None:
    await provider(gecko, http, api_key=None).get_prices([WETH])
    assert "x-cg-demo-api-key" not in gecko.requests[0].headers


async def test_prices_parse_json_numbers_without_losing_digits(
    gecko: LoopbackVendor, http: httpx.AsyncClient
) -> None:
    ticks = await provider(gecko, http).get_prices([WETH, USDC, BRETT, DEGEN, TOSHI])
    assert set(ticks) == {WETH, USDC, BRETT}  # DEGEN answered {}, TOSHI not listed by CoinGecko
    weth = ticks[WETH]
    assert weth.price_usd == Decimal("3021.45")
    assert weth.change_24h_pct == Decimal("-1.2345678")
    assert weth.volume_24h_usd == Decimal("987654321.1234")
    assert weth.market_cap_usd is None  # CoinGecko's 0 means "unknown"
    assert weth.liquidity_usd is None  # not reported by CoinGecko
    assert weth.pool_address is None and weth.transactions_24h is None and weth.change_1h_pct is None
    assert weth.source == "coingecko"
    assert ticks[BRETT].price_usd == Decimal("4.123456789E-8")
    assert ticks[BRETT].model_dump(mode="json")["price_usd"] == "0.00000004123456789"
    usdc = ticks[USDC]
    assert usdc.market_cap_usd == Decimal("60123456789.5")
    assert usdc.volume_24h_usd is None and usdc.change_24h_pct is None  # nulls stay unknown


async def test_a_rejected_key_is_reported_without_the_key(
    gecko: LoopbackVendor, http: httpx.AsyncClient
) -> None:
    gecko.fail_next(Reply(401, {"status": {"error_code": 10002, "error_message": "API Key Missing"}}))
    with pytest.raises(MarketDataUnavailable) as caught:
        await provider(gecko, http).get_prices([WETH])
    assert "API key" in caught.value.detail and KEY not in caught.value.detail
    assert "HTTP 401" in caught.value.detail


async def test_wrong_shape_is_our_error(vendor: LoopbackVendor, http: httpx.AsyncClient) -> None:
    vendor.fail_next(Reply(200, [{"usd": 1}]))
    with pytest.raises(MarketDataUnavailable, match="CoinGecko answered in a shape"):
        await provider(vendor, http).get_prices([WETH])


async def test_no_candles(gecko: LoopbackVendor, http: httpx.AsyncClient) -> None:
    with pytest.raises(MarketDataUnavailable, match="CoinGecko has no candles"):
        await provider(gecko, http).get_candles(WETH, Timeframe.D1, 10)
