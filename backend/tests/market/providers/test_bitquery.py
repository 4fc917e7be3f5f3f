"""Bitquery adapter against a loopback server answering its GraphQL documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from eaili5.market.errors import MarketDataUnavailable, UnknownToken
from eaili5.market.providers.bitquery import BitqueryProvider
from eaili5.market.schemas import Timeframe
from tests.market.providers.loopback import LoopbackVendor, Recorded, Reply, fixture
from tests.market.providers.tokens import BRETT, DEGEN, NOT_LISTED, TOKENS, TOSHI, WETH

KEY = "ory_at_bitquery-test-token"


def provider(vendor: LoopbackVendor, http: httpx.AsyncClient) -> BitqueryProvider:
    return BitqueryProvider(http, TOKENS, base_url=f"{vendor.url}/graphql", api_key=KEY, timeout=5.0)


def graphql(request: Recorded, _match: object) -> Reply:
    query = request.json()["query"]
    if "query Trades" in query:
        return Reply(200, fixture("bitquery_trades.json"))
    return Reply(200, fixture("bitquery_candles.json" if "interval" in query else "bitquery_prices.json"))


@pytest.fixture
def bitquery(vendor: LoopbackVendor) -> LoopbackVendor:
    vendor.route("POST", "/graphql", graphql)
    return vendor


def test_a_key_is_required(http: httpx.AsyncClient) -> None:
    with pytest.raises(ValueError, match="API key"):
        BitqueryProvider(http, TOKENS)


async def test_candles_post_graphql_with_a_bearer_token(
    bitquery: LoopbackVendor, http: httpx.AsyncClient
) -> None:
    await provider(bitquery, http).get_candles(WETH, Timeframe.H4, 50, before=1764158400)
    [request] = bitquery.requests
    assert request.method == "POST" and request.path == "/graphql"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["content-type"] == "application/json"
    body = request.json()
    assert "EVM(network: base)" in body["query"] and "DEXTradeByTokens" in body["query"]
    assert "Time(interval: {in: minutes, count: $minutes})" in body["query"]
    assert body["variables"] == {
        "token": WETH.lower(),
        "minutes": 240,
        "limit": 50,
        "before": "2025-11-26T12:00:00Z",
    }


async def test_candles_oldest_first(bitquery: LoopbackVendor, http: httpx.AsyncClient) -> None:
    candles = await provider(bitquery, http).get_candles(WETH, Timeframe.H1, 100)
    start = int(datetime(2026, 11, 26, 10, tzinfo=UTC).timestamp())
    assert [candle.t for candle in candles] == [start, start + 3600, start + 7200]
    newest = candles[-1]
    assert newest.c == Decimal("3021.456789012345") and newest.v == Decimal("1234567.89")
    assert (newest.o, newest.h, newest.l) == (Decimal("3021.1"), Decimal("3030.55"), Decimal("3015.2"))


async def test_prices_from_the_last_day_of_trades(bitquery: LoopbackVendor, http: httpx.AsyncClient) -> None:
    ticks = await provider(bitquery, http).get_prices([WETH, BRETT, DEGEN, TOSHI])
    body = bitquery.requests[0].json()
    assert body["variables"]["tokens"] == [a.lower() for a in (WETH, BRETT, DEGEN, TOSHI)]
    since = datetime.fromisoformat(body["variables"]["since"].replace("Z", "+00:00"))
    assert abs(datetime.now(UTC) - timedelta(days=1) - since) < timedelta(seconds=5)
    assert set(ticks) == {WETH, BRETT}  # DEGEN's last price is 0; TOSHI had no trades
    weth = ticks[WETH]
    assert weth.price_usd == Decimal("3021.45")
    assert weth.change_24h_pct == Decimal("2.58")  # 3021.45 / 2945.5 - 1
    assert weth.volume_24h_usd == Decimal("987654321.12") and weth.transactions_24h == 29897
    assert weth.liquidity_usd is None and weth.change_1h_pct is None and weth.source == "bitquery"
    brett = ticks[BRETT]
    assert brett.price_usd == Decimal("4.123456789E-8") and brett.change_24h_pct is None  # no opening price


async def test_graphql_errors_are_our_error(vendor: LoopbackVendor, http: httpx.AsyncClient) -> None:
    vendor.fail_next(Reply(200, {"data": None, "errors": [{"message": "Field 'Bogus' doesn't exist"}]}))
    with pytest.raises(MarketDataUnavailable, match="Bitquery is unavailable: it rejected our query"):
        await provider(vendor, http).get_candles(WETH, Timeframe.H1, 10)


async def test_wrong_shapes_are_our_error(vendor: LoopbackVendor, http: httpx.AsyncClient) -> None:
    market = provider(vendor, http)
    rows = [
        {"Block": {"Time": "yesterday"}, "volume": 1, "Trade": {"open": 1, "high": 1, "low": 1, "close": 1}}
    ]
    for document in (
        {"data": {"EVM": {"DEXTradeByTokens": {}}}},
        {"data": {"EVM": {"DEXTradeByTokens": rows}}},
    ):
        vendor.fail_next(Reply(200, document))
        with pytest.raises(MarketDataUnavailable, match="Bitquery answered in a shape"):
            await market.get_candles(WETH, Timeframe.H1, 10)


async def test_unknown_tokens_are_refused_before_calling(
    bitquery: LoopbackVendor, http: httpx.AsyncClient
) -> None:
    with pytest.raises(UnknownToken):
        await provider(bitquery, http).get_candles(NOT_LISTED, Timeframe.H1, 10)
    assert bitquery.requests == []


async def test_recent_trades_newest_first_in_usd(bitquery: LoopbackVendor, http: httpx.AsyncClient) -> None:
    trades = await provider(bitquery, http).get_recent_trades(WETH, 3)
    body = bitquery.requests[0].json()
    assert "DEXTradeByTokens" in body["query"] and "PriceInUSD" in body["query"]
    assert body["variables"] == {"token": WETH.lower(), "limit": 3}
    assert [trade.at.second for trade in trades] == [43, 41, 58]
    newest = trades[0]
    assert newest.price_usd == Decimal("3021.9") and newest.amount == Decimal("1.25")
    assert newest.amount_usd == Decimal("3777.38") and newest.dex == "aerodrome_slipstream"
    assert newest.side is None  # the rows do not say which way the swap went
    assert trades[2].dex is None and trades[2].amount_usd == Decimal("0.37")


async def test_a_trade_row_without_a_price_is_a_vendor_error(
    vendor: LoopbackVendor, http: httpx.AsyncClient
) -> None:
    broken = {
        "data": {"EVM": {"DEXTradeByTokens": [{"Block": {"Time": "2026-11-26T12:00:41Z"}, "Trade": {}}]}}
    }
    vendor.route("POST", "/graphql", Reply(200, broken))
    with pytest.raises(MarketDataUnavailable):
        await provider(vendor, http).get_recent_trades(WETH, 3)
