"""DexScreener adapter against a loopback server speaking its pairs lists."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from eaili5.market.errors import MarketDataUnavailable, UnknownToken
from eaili5.market.providers.dexscreener import DexScreenerProvider
from eaili5.market.schemas import Timeframe
from tests.market.providers.loopback import LoopbackVendor, Reply, fixture
from tests.market.providers.tokens import AERO, BRETT, DEGEN, NOT_LISTED, TOKENS, TOSHI, USDC, WETH

PAIRS = r"/tokens/v1/base/(?P<addresses>[^/]+)"


def provider(vendor: LoopbackVendor, http: httpx.AsyncClient) -> DexScreenerProvider:
    return DexScreenerProvider(http, TOKENS, base_url=vendor.url, timeout=5.0)


@pytest.fixture
def dex(vendor: LoopbackVendor) -> LoopbackVendor:
    vendor.route("GET", PAIRS, Reply(200, fixture("dexscreener_tokens.json")))
    return vendor


async def test_prices_one_call_per_batch(dex: LoopbackVendor, http: httpx.AsyncClient) -> None:
    wanted = [WETH, USDC, AERO, BRETT, DEGEN, TOSHI]
    await provider(dex, http).get_prices(wanted)
    [request] = dex.requests
    assert request.path == "/tokens/v1/base/" + ",".join(address.lower() for address in wanted)
    assert request.query == {}


async def test_prices_read_the_most_liquid_pair_where_the_token_is_base(
    dex: LoopbackVendor, http: httpx.AsyncClient
) -> None:
    ticks = await provider(dex, http).get_prices([WETH, USDC, AERO, BRETT, DEGEN, TOSHI])
    # USDC is only ever the quote token here; DEGEN's pair has no price; TOSHI is not in the answer.
    assert set(ticks) == {WETH, AERO, BRETT}
    weth = ticks[WETH]
    assert weth.price_usd == Decimal("3021.45")
    assert weth.liquidity_usd == Decimal("123456789.01")  # a JSON float, digits kept
    assert weth.volume_24h_usd == Decimal("456789012.34")
    assert (weth.change_1h_pct, weth.change_24h_pct) == (Decimal("-0.42"), Decimal("2.57"))
    assert weth.fdv_usd == Decimal(563543210) and weth.market_cap_usd == Decimal(563543210)
    assert weth.transactions_24h == 15021 + 14876
    assert weth.pool_address == "0xd0b53D9277642d899DF5C87A3966A349A798F224"
    assert weth.source == "dexscreener"
    # AERO is the quote of a bigger pair (OTH/AERO); that pair's price is OTH's, so it is not used.
    assert ticks[AERO].price_usd == Decimal("1.0412")
    assert ticks[AERO].pool_address == "0x6cDcb1C4A4D1C3C6d054b27AC5B77e89eAFb971d"


async def test_prices_keep_missing_numbers_unknown(dex: LoopbackVendor, http: httpx.AsyncClient) -> None:
    brett = (await provider(dex, http).get_prices([BRETT]))[BRETT]
    assert brett.price_usd == Decimal("0.00000004123456789")
    assert brett.fdv_usd is None and brett.market_cap_usd is None and brett.change_1h_pct is None
    assert brett.transactions_24h is None  # buys without sells
    assert brett.volume_24h_usd is None and brett.liquidity_usd is None


async def test_unknown_tokens_are_refused_before_calling(
    dex: LoopbackVendor, http: httpx.AsyncClient
) -> None:
    with pytest.raises(UnknownToken):
        await provider(dex, http).get_prices([NOT_LISTED])
    assert dex.requests == []


async def test_a_document_that_is_not_a_list_is_our_error(
    vendor: LoopbackVendor, http: httpx.AsyncClient
) -> None:
    market = provider(vendor, http)
    for document in (
        {"schemaVersion": "1.0.0", "pairs": []},
        ["pair"],
        [{"baseToken": "x", "priceUsd": "1"}],
    ):
        vendor.fail_next(Reply(200, document))
        if document == [{"baseToken": "x", "priceUsd": "1"}]:
            assert await market.get_prices([WETH]) == {}  # an odd pair is skipped, not fatal
            continue
        with pytest.raises(MarketDataUnavailable, match="DexScreener answered in a shape"):
            await market.get_prices([WETH])


async def test_no_candles(dex: LoopbackVendor, http: httpx.AsyncClient) -> None:
    with pytest.raises(MarketDataUnavailable, match="DexScreener has no candles"):
        await provider(dex, http).get_candles(WETH, Timeframe.H1, 10)
    with pytest.raises(UnknownToken):
        await provider(dex, http).get_candles(NOT_LISTED, Timeframe.H1, 10)
    assert dex.requests == []
