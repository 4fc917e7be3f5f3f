"""GeckoTerminal adapter against a loopback server speaking its JSON:API documents."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from eaili5.market.errors import MarketDataUnavailable, TooManyTokens, UnknownToken
from eaili5.market.providers.geckoterminal import GeckoTerminalProvider
from eaili5.market.providers.http import VendorNotFound
from eaili5.market.schemas import Timeframe
from tests.market.providers.loopback import LoopbackVendor, Recorded, Reply, fixture
from tests.market.providers.tokens import (
    AERO,
    BRETT,
    BY_SYMBOL,
    CBETH,
    DEGEN,
    NOT_LISTED,
    TOKENS,
    TOSHI,
    USDC,
    WETH,
)

MULTI = r"/api/v2/networks/base/tokens/multi/(?P<addresses>[^/]+)"
OHLCV = r"/api/v2/networks/base/pools/(?P<pool>[^/]+)/ohlcv/(?P<period>minute|hour|day)"
TOKEN_POOLS = r"/api/v2/networks/base/tokens/(?P<token>0x[0-9a-f]{40})/pools"


def provider(vendor: LoopbackVendor, http: httpx.AsyncClient, timeout: float = 5.0) -> GeckoTerminalProvider:
    return GeckoTerminalProvider(http, TOKENS, base_url=f"{vendor.url}/api/v2", timeout=timeout)


def ohlcv_like_the_vendor(request: Recorded, _match: re.Match[str]) -> Reply:
    """Serves the fixture's rows the way GeckoTerminal does: newest first, before_timestamp, limit."""
    rows = fixture("geckoterminal_ohlcv_hour.json")["data"]["attributes"]["ohlcv_list"]
    before = request.param("before_timestamp")
    if before is not None:
        rows = [row for row in rows if row[0] < int(before)]
    rows = rows[: int(request.param("limit") or 100)]
    document = fixture("geckoterminal_ohlcv_hour.json")
    document["data"]["attributes"]["ohlcv_list"] = rows
    return Reply(200, document)


@pytest.fixture
def gecko(vendor: LoopbackVendor) -> LoopbackVendor:
    vendor.route("GET", MULTI, Reply(200, fixture("geckoterminal_tokens_multi.json")))
    vendor.route("GET", OHLCV, ohlcv_like_the_vendor)
    vendor.route("GET", TOKEN_POOLS, Reply(200, fixture("geckoterminal_token_pools.json")))
    return vendor


# -- prices ------------------------------------------------------------------------------------------


async def test_prices_one_batched_call_with_top_pools(gecko: LoopbackVendor, http: httpx.AsyncClient) -> None:
    wanted = [WETH, USDC, AERO, BRETT, DEGEN, CBETH, TOSHI]
    await provider(gecko, http).get_prices(wanted)
    [request] = gecko.requests
    assert request.path == "/api/v2/networks/base/tokens/multi/" + ",".join(a.lower() for a in wanted)
    assert request.query == {"include": ["top_pools"]}


async def test_prices_parse_string_numbers_exactly(gecko: LoopbackVendor, http: httpx.AsyncClient) -> None:
    before = datetime.now(UTC)
    ticks = await provider(gecko, http).get_prices([WETH.lower(), USDC, BRETT])
    weth = ticks[WETH]
    assert weth.address == WETH  # EIP-55, from our universe, though asked and answered in lowercase
    assert weth.price_usd == Decimal("3021.456789012345678")
    assert weth.volume_24h_usd == Decimal("987654321.123456")  # token-wide, all pools
    assert weth.fdv_usd == Decimal("563543210.12")
    assert weth.market_cap_usd == Decimal("563000000.5")
    # From the token's first top pool, where WETH is the base token.
    assert weth.change_24h_pct == Decimal("2.57")
    assert weth.change_1h_pct == Decimal("-0.42")
    assert weth.liquidity_usd == Decimal("123456789.0123")
    assert weth.transactions_24h == 15021 + 14876
    assert weth.pool_address == "0xd0b53D9277642d899DF5C87A3966A349A798F224"
    assert weth.source == "geckoterminal"
    assert before <= weth.as_of <= datetime.now(UTC) + timedelta(seconds=1)
    assert ticks[BRETT].price_usd == Decimal("0.00000004123456789")
    assert ticks[BRETT].model_dump(mode="json")["price_usd"] == "0.00000004123456789"


async def test_prices_take_changes_from_a_pool_where_the_token_is_base(
    gecko: LoopbackVendor, http: httpx.AsyncClient
) -> None:
    # USDC's first top pool is WETH/USDC: its price change is WETH's, so the USDC/USDbC pool is used.
    usdc = (await provider(gecko, http).get_prices([USDC]))[USDC]
    assert usdc.change_24h_pct == Decimal("0.02")
    assert usdc.change_1h_pct == Decimal("0.00")
    assert usdc.liquidity_usd == Decimal("8765432.1")
    assert usdc.transactions_24h == 812 + 790
    assert usdc.pool_address == BY_SYMBOL["USDbC"].main_pool.address  # same EIP-55 spelling as the snapshot


async def test_prices_keep_nulls_as_unknown(gecko: LoopbackVendor, http: httpx.AsyncClient) -> None:
    ticks = await provider(gecko, http).get_prices([AERO, BRETT])
    aero = ticks[AERO]
    assert aero.fdv_usd is None and aero.market_cap_usd is None
    assert aero.change_1h_pct is None and aero.transactions_24h is None and aero.pool_address is None
    # Required stats the vendor left out read as 0; liquidity falls back to the token's total reserve.
    assert aero.change_24h_pct is None and aero.volume_24h_usd is None
    assert aero.liquidity_usd == Decimal("55123456.7")
    brett = ticks[BRETT]
    assert brett.change_1h_pct is None and brett.change_24h_pct == Decimal("-12.75")
    assert brett.transactions_24h is None  # sells null: half a count is not a count


async def test_prices_leave_out_tokens_without_a_usable_price(
    gecko: LoopbackVendor, http: httpx.AsyncClient
) -> None:
    ticks = await provider(gecko, http).get_prices([WETH, DEGEN, CBETH, TOSHI])
    # DEGEN: null price; cbETH: zero price; TOSHI: not in the answer. The unlisted extra is ignored.
    assert set(ticks) == {WETH}


async def test_prices_refuse_unknown_and_oversized_batches_without_calling(
    gecko: LoopbackVendor, http: httpx.AsyncClient
) -> None:
    market = provider(gecko, http)
    with pytest.raises(UnknownToken):
        await market.get_prices([WETH, NOT_LISTED])
    with pytest.raises(TooManyTokens):
        await market.get_prices([token.address for token in TOKENS[:31]])
    assert await market.get_prices([]) == {}
    assert gecko.requests == []


async def test_prices_batch_of_thirty_is_one_call(gecko: LoopbackVendor, http: httpx.AsyncClient) -> None:
    batch = [token.address for token in TOKENS[:30]]
    await provider(gecko, http).get_prices(batch)
    await provider(gecko, http).get_prices([*batch[:29], batch[0].lower()])  # a duplicate in another case
    first, second = gecko.requests
    assert first.path.rsplit("/", 1)[1].split(",") == [address.lower() for address in batch]
    assert second.path.rsplit("/", 1)[1].split(",") == [address.lower() for address in batch[:29]]


async def test_prices_404_means_no_prices(vendor: LoopbackVendor, http: httpx.AsyncClient) -> None:
    assert await provider(vendor, http).get_prices([WETH]) == {}


async def test_prices_wrong_shape_is_our_error(vendor: LoopbackVendor, http: httpx.AsyncClient) -> None:
    market = provider(vendor, http)
    for document in (
        {"data": {"id": "x"}},
        [],
        {"data": [{"attributes": "nope"}]},
        {"data": [], "included": {}},
    ):
        vendor.fail_next(Reply(200, document))
        with pytest.raises(MarketDataUnavailable, match="GeckoTerminal answered in a shape"):
            await market.get_prices([WETH])


# -- candles -----------------------------------------------------------------------------------------


async def test_candles_oldest_first_from_the_snapshot_pool(
    gecko: LoopbackVendor, http: httpx.AsyncClient
) -> None:
    candles = await provider(gecko, http).get_candles(WETH, Timeframe.H1, 100)
    [request] = gecko.requests
    assert request.path == f"/api/v2/networks/base/pools/{BY_SYMBOL['WETH'].main_pool.address}/ohlcv/hour"
    assert request.query == {
        "aggregate": ["1"],
        "limit": ["100"],
        "currency": ["usd"],
        "token": [WETH.lower()],  # our token's price even where it is the pool's quote token
    }
    assert [candle.t for candle in candles] == [1764140400, 1764144000, 1764151200, 1764154800, 1764158400]
    newest, oldest = candles[-1], candles[0]
    assert newest.c == Decimal("3021.4567890123")  # a JSON float, digits kept
    assert (newest.o, newest.h, newest.l, newest.v) == (
        Decimal("3021.1"),
        Decimal("3030.55"),
        Decimal("3015.2"),
        Decimal("1234567.89"),
    )
    assert oldest.o == Decimal("2995.5") and oldest.v == Decimal("567890.12")  # string numbers too


async def test_candles_before_and_limit_page_backwards(
    gecko: LoopbackVendor, http: httpx.AsyncClient
) -> None:
    market = provider(gecko, http)
    page = await market.get_candles(WETH, Timeframe.H1, 2, before=1764154800)
    assert gecko.requests[-1].param("before_timestamp") == "1764154800"
    assert [candle.t for candle in page] == [1764144000, 1764151200]
    older = await market.get_candles(WETH, Timeframe.H1, 2, before=page[0].t)
    assert [candle.t for candle in older] == [1764140400]


async def test_candles_use_the_pool_learned_from_prices(
    gecko: LoopbackVendor, http: httpx.AsyncClient
) -> None:
    market = provider(gecko, http)
    await market.get_prices([WETH, BRETT])
    await market.get_candles(BRETT, Timeframe.M15, 10)
    await market.get_candles(WETH, Timeframe.M15, 10)
    paths = [request.path for request in gecko.requests[1:]]
    assert paths == [
        "/api/v2/networks/base/pools/0x76Bf0abD20f1e0155Ce40A62615a90A709a6C3D8/ohlcv/minute",
        "/api/v2/networks/base/pools/0xd0b53D9277642d899DF5C87A3966A349A798F224/ohlcv/minute",
    ]
    assert gecko.requests[-1].param("aggregate") == "15"


async def test_candles_look_up_a_pool_once_when_none_is_known(
    gecko: LoopbackVendor, http: httpx.AsyncClient
) -> None:
    market = provider(gecko, http)
    await market.get_candles(TOSHI, Timeframe.D1, 30)
    await market.get_candles(TOSHI, Timeframe.H4, 30)
    lookup, first, second = gecko.requests
    assert lookup.path == f"/api/v2/networks/base/tokens/{TOSHI.lower()}/pools"
    assert lookup.query == {"page": ["1"]}
    assert first.path == "/api/v2/networks/base/pools/0x4C36388bE6F416A29C8d8Eee81C771cE6bE14B18/ohlcv/day"
    assert second.path.endswith("/ohlcv/hour") and second.param("aggregate") == "4"


@pytest.mark.parametrize(
    ("timeframe", "period", "aggregate"),
    [
        (Timeframe.M1, "minute", "1"),
        (Timeframe.M5, "minute", "5"),
        (Timeframe.M15, "minute", "15"),
        (Timeframe.H1, "hour", "1"),
        (Timeframe.H4, "hour", "4"),
        (Timeframe.H12, "hour", "12"),
        (Timeframe.D1, "day", "1"),
    ],
)
async def test_candle_timeframes_map_to_vendor_periods(
    gecko: LoopbackVendor, http: httpx.AsyncClient, timeframe: Timeframe, period: str, aggregate: str
) -> None:
    await provider(gecko, http).get_candles(WETH, timeframe, 5)
    assert gecko.requests[-1].path.endswith(f"/ohlcv/{period}")
    assert gecko.requests[-1].param("aggregate") == aggregate


async def test_candles_without_any_pool_are_unavailable(
    vendor: LoopbackVendor, http: httpx.AsyncClient
) -> None:
    vendor.route("GET", TOKEN_POOLS, Reply(200, {"data": []}))
    with pytest.raises(MarketDataUnavailable, match="no pool"):
        await provider(vendor, http).get_candles(TOSHI, Timeframe.H1, 10)


async def test_candles_of_an_unknown_pool_are_not_found(
    vendor: LoopbackVendor, http: httpx.AsyncClient
) -> None:
    with pytest.raises(VendorNotFound):
        await provider(vendor, http).get_candles(WETH, Timeframe.H1, 10)


async def test_candle_rows_of_the_wrong_shape_are_our_error(
    vendor: LoopbackVendor, http: httpx.AsyncClient
) -> None:
    market = provider(vendor, http)
    bad_rows = ([[1764158400, "1", "2"]], [[1764158400, "1", "2", "0.5", None, "3"]], ["row"], {"rows": []})
    for rows in bad_rows:
        vendor.fail_next(Reply(200, {"data": {"attributes": {"ohlcv_list": rows}}}))
        with pytest.raises(MarketDataUnavailable, match="shape"):
            await market.get_candles(WETH, Timeframe.H1, 10)
