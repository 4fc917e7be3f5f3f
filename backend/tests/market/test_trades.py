"""Recent trades: the simulated market cuts them from its one price path; the API serves them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from eaili5.market.errors import InvalidTradesRequest, UnknownToken
from eaili5.market.providers.simulated import SimulatedMarket
from eaili5.market.schemas import MarketTrade, Timeframe
from eaili5.market.snapshot import load_snapshot_tokens

NOW = datetime(2026, 11, 26, 12, 34, 56, tzinfo=UTC)
BY_SYMBOL = {token.symbol: token for token in load_snapshot_tokens()}
WETH, USDC, BRETT = (BY_SYMBOL[symbol].address for symbol in ("WETH", "USDC", "BRETT"))


def market(seed: int = 7) -> SimulatedMarket:
    return SimulatedMarket(seed=seed, now_fn=lambda: NOW)


def minute_of(trade: MarketTrade) -> int:
    return int(trade.at.timestamp()) // 60


async def test_trades_are_deterministic_newest_first_and_in_the_past() -> None:
    first = await market().get_recent_trades(WETH, 50)
    assert first == await market().get_recent_trades(WETH, 50)
    assert first != await market(seed=8).get_recent_trades(WETH, 50)
    assert len(first) == 50
    times = [trade.at for trade in first]
    assert times == sorted(times, reverse=True) and times[0] < NOW
    assert {trade.side for trade in first} == {"buy", "sell"}
    assert all(trade.dex == BY_SYMBOL["WETH"].main_pool.dex for trade in first)


@pytest.mark.parametrize("symbol", ["WETH", "BRETT", "USDC"])
async def test_trade_prices_sit_inside_their_minute_candle(symbol: str) -> None:
    sim = market()
    trades = await sim.get_recent_trades(BY_SYMBOL[symbol].address, 100)
    candles = await sim.get_candles(BY_SYMBOL[symbol].address, Timeframe.M1, 30)
    by_minute = {candle.t // 60: candle for candle in candles}
    checked = 0
    for trade in trades:
        candle = by_minute.get(minute_of(trade))
        if candle is not None:
            assert candle.l <= trade.price_usd <= candle.h, (trade, candle)
            checked += 1
    assert checked == len(trades)


async def test_a_finished_minute_of_trades_adds_up_to_its_candle_volume() -> None:
    sim = market()
    trades = await sim.get_recent_trades(BRETT, 100)
    minutes = [minute for minute, _ in itertools.groupby(trades, key=minute_of)]
    whole_minute = minutes[1]  # the newest minute may be cut by the limit; the next one is complete
    total = sum((t.amount_usd for t in trades if minute_of(t) == whole_minute), Decimal(0))
    [candle] = await sim.get_candles(BRETT, Timeframe.M1, 1, before=(whole_minute + 1) * 60)
    assert abs(total - candle.v) <= Decimal("0.01") * 12  # each size is rounded to cents


async def test_amounts_are_usd_over_price() -> None:
    for trade in await market().get_recent_trades(WETH, 20):
        assert abs(trade.amount * trade.price_usd - trade.amount_usd) / trade.amount_usd < Decimal("0.0001")


async def test_stablecoin_trades_stay_at_a_dollar() -> None:
    trades = await market().get_recent_trades(USDC, 100)
    assert all(abs(trade.price_usd - 1) < Decimal("0.002") for trade in trades)


async def test_bad_requests() -> None:
    with pytest.raises(InvalidTradesRequest):
        await market().get_recent_trades(WETH, 0)
    with pytest.raises(UnknownToken):
        await market().get_recent_trades("0x000000000000000000000000000000000000dEaD", 5)


async def test_api_serves_recent_trades_labelled_simulated(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/api/tokens/{WETH.lower()}/trades", params={"limit": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["source"] == "simulated" and body["address"] == WETH and len(body["trades"]) == 5
    trade = body["trades"][0]
    assert isinstance(trade["price_usd"], str) and Decimal(trade["amount_usd"]) > 0
    assert trade["side"] in {"buy", "sell"}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/api/tokens/{WETH}/trades?limit=0", 422),
        (f"/api/tokens/{WETH}/trades?limit=101", 422),
        ("/api/tokens/0x000000000000000000000000000000000000dEaD/trades", 404),
        ("/api/tokens/0x123/trades", 400),
    ],
)
async def test_api_rejects_bad_trade_requests(client: httpx.AsyncClient, path: str, status: int) -> None:
    response = await client.get(path)
    assert response.status_code == status
    assert response.json()["detail"]
