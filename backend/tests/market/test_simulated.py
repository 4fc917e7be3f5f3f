"""The simulated market: deterministic, pegged where it should be, and one price path for everything."""

from __future__ import annotations

import itertools
import math
import random
import statistics
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from eaili5.core.errors import BadRequest, NotFound
from eaili5.market.errors import InvalidAddress, InvalidCandleRequest, TooManyTokens, UnknownToken
from eaili5.market.providers import simulated
from eaili5.market.providers.base import CANDLE_LIST, MAX_PRICES_PER_CALL
from eaili5.market.providers.simulated import SimulatedMarket
from eaili5.market.schemas import Candle, Timeframe, Token
from eaili5.market.snapshot import load_snapshot_tokens

NOW = datetime(2026, 11, 26, 12, 34, 56, tzinfo=UTC)
TOKENS = load_snapshot_tokens()
BY_SYMBOL = {token.symbol: token for token in TOKENS}
WETH, USDC, BRETT = BY_SYMBOL["WETH"].address, BY_SYMBOL["USDC"].address, BY_SYMBOL["BRETT"].address
NOT_LISTED = "0x000000000000000000000000000000000000dEaD"


def market(seed: int = 7, now: datetime = NOW) -> SimulatedMarket:
    return SimulatedMarket(seed=seed, now_fn=lambda: now)


def by_class(volatility_class: str, count: int = 3) -> list[Token]:
    return [token for token in TOKENS if token.volatility_class == volatility_class][:count]


# -- determinism ---------------------------------------------------------------------------------


async def test_same_seed_and_time_give_the_same_prices_and_candles() -> None:
    addresses = [token.address for token in TOKENS[:30]]
    first, second = market(), market()
    assert await first.get_prices(addresses) == await second.get_prices(addresses)
    assert await first.get_candles(WETH, Timeframe.M15, 200) == await second.get_candles(
        WETH, Timeframe.M15, 200
    )


async def test_a_cached_path_gives_the_same_answer_as_a_fresh_one() -> None:
    warmed = market()
    await warmed.get_candles(WETH, Timeframe.H1, 500)  # fills caches in another order
    assert await warmed.get_candles(WETH, Timeframe.M5, 50) == await market().get_candles(
        WETH, Timeframe.M5, 50
    )


async def test_reused_closed_candles_match_a_fresh_computation_as_the_newest_bar_forms() -> None:
    """Closed bars are kept between calls; the newest (forming) bar is recomputed at every call."""
    now = [NOW]
    warmed = SimulatedMarket(seed=7, now_fn=lambda: now[0])
    first = await warmed.get_candles(WETH, Timeframe.M15, 200)
    now[0] = NOW + timedelta(seconds=40)  # same newest 15m bar, still forming, and it moved
    later = await warmed.get_candles(WETH, Timeframe.M15, 200)
    assert later == await market(now=now[0]).get_candles(WETH, Timeframe.M15, 200)
    assert later[:-1] == first[:-1] and later[-1] != first[-1]
    now[0] = NOW + timedelta(minutes=15)  # a new bar opened: the series moves on by one
    moved = await warmed.get_candles(WETH, Timeframe.M15, 200)
    assert moved == await market(now=now[0]).get_candles(WETH, Timeframe.M15, 200)
    assert moved[-2].t == later[-1].t


async def test_different_seeds_give_different_prices() -> None:
    one = (await market(seed=1).get_prices([WETH, BRETT]))[WETH]
    two = (await market(seed=2).get_prices([WETH, BRETT]))[WETH]
    assert one.price_usd != two.price_usd


async def test_price_moves_within_a_minute_and_over_time() -> None:
    later = await market(now=NOW + timedelta(seconds=5)).get_prices([WETH])
    assert (await market().get_prices([WETH]))[WETH].price_usd != later[WETH].price_usd


# -- pegs and volatility -------------------------------------------------------------------------


async def test_stablecoins_stay_within_0_2_percent_of_their_peg_for_a_week() -> None:
    simulated = market()
    for token in by_class("stablecoin", count=10):
        peg = token.reference_price_usd
        hours = await simulated.get_candles(token.address, Timeframe.H1, 24 * 7)
        # Hourly highs and lows cover every minute of the week.
        assert max(candle.h for candle in hours) <= peg * Decimal("1.002"), token.symbol
        assert min(candle.l for candle in hours) >= peg * Decimal("0.998"), token.symbol
        if token.symbol != "EURC":
            assert peg == Decimal("1.00")


def realized_volatility(candles: list[Candle]) -> float:
    closes = [float(candle.c) for candle in candles]
    return statistics.pstdev(math.log(b / a) for a, b in itertools.pairwise(closes))


async def test_volatility_grows_from_stablecoins_to_blue_chips_to_memecoins() -> None:
    simulated = market()
    month = 24 * 30

    async def median_volatility(volatility_class: str) -> float:
        candles = [
            await simulated.get_candles(t.address, Timeframe.H1, month) for t in by_class(volatility_class)
        ]
        return statistics.median(realized_volatility(c) for c in candles)

    stable, blue, meme = [await median_volatility(c) for c in ("stablecoin", "blue_chip", "memecoin")]
    assert stable < blue < meme
    assert stable < blue / 20  # not just ordered: stablecoins barely move


async def test_blue_chips_move_a_few_percent_a_day() -> None:
    days = await market().get_candles(WETH, Timeframe.D1, 60)
    assert 0.005 < realized_volatility(days) < 0.08


# -- one path for ticks and every timeframe ------------------------------------------------------


def aggregate(candles: list[Candle]) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    return candles[0].o, max(c.h for c in candles), min(c.l for c in candles), candles[-1].c


def assert_same_bar(big: Candle, small: list[Candle]) -> None:
    assert (big.o, big.h, big.l, big.c) == aggregate(small)
    assert math.isclose(float(big.v), float(sum(c.v for c in small)), rel_tol=1e-6, abs_tol=0.5)


@pytest.mark.parametrize("address", [WETH, USDC, BRETT])
async def test_hour_candles_aggregate_their_minutes(address: str) -> None:
    simulated = market()
    hours = await simulated.get_candles(address, Timeframe.H1, 3)
    minutes = await simulated.get_candles(address, Timeframe.M1, 1000)
    for hour in hours:  # two finished hours and the forming one
        inside = [m for m in minutes if hour.t <= m.t < hour.t + 3600]
        assert inside and inside[0].t == hour.t
        assert_same_bar(hour, inside)


@pytest.mark.parametrize(
    ("big", "small", "count"), [(Timeframe.D1, Timeframe.H1, 24), (Timeframe.H4, Timeframe.M15, 16)]
)
async def test_longer_candles_aggregate_shorter_ones(big: Timeframe, small: Timeframe, count: int) -> None:
    simulated = market()
    for candle in await simulated.get_candles(BRETT, big, 3, before=int(NOW.timestamp()) - 86400):
        parts = await simulated.get_candles(BRETT, small, count, before=candle.t + big.seconds)
        assert parts[0].t == candle.t
        assert_same_bar(candle, parts)


async def test_the_forming_day_aggregates_its_hours() -> None:
    simulated = market()
    today = (await simulated.get_candles(WETH, Timeframe.D1, 1))[0]
    hours = [h for h in await simulated.get_candles(WETH, Timeframe.H1, 24) if h.t >= today.t]
    assert_same_bar(today, hours)


async def test_the_tick_is_the_latest_one_minute_close() -> None:
    simulated = market()
    tick = (await simulated.get_prices([WETH]))[WETH]
    latest = (await simulated.get_candles(WETH, Timeframe.M1, 1))[-1]
    assert tick.price_usd == latest.c
    assert latest.t == int(NOW.timestamp()) // 60 * 60
    assert simulated.price_at(WETH, NOW) == tick.price_usd


async def test_minute_candles_are_contiguous() -> None:
    minutes = await market().get_candles(BRETT, Timeframe.M1, 500)
    for previous, current in itertools.pairwise(minutes):
        assert current.t == previous.t + 60
        assert current.o == previous.c
        assert current.l <= min(current.o, current.c) <= max(current.o, current.c) <= current.h


async def test_24h_change_and_volume_come_from_the_same_path() -> None:
    simulated = market()
    tick = (await simulated.get_prices([BRETT]))[BRETT]
    day_ago = simulated.price_at(BRETT, NOW - timedelta(days=1))
    expected = (float(tick.price_usd) / float(day_ago) - 1) * 100
    assert abs(float(tick.change_24h_pct) - expected) < 0.01
    reference_volume = float(BY_SYMBOL["BRETT"].main_pool.volume_24h_usd)
    assert 0.5 * reference_volume < float(tick.volume_24h_usd) < 2 * reference_volume


async def test_candles_are_oldest_first_before_the_cursor_and_never_in_the_future() -> None:
    simulated = market()
    before = int(NOW.timestamp()) - 7200
    candles = await simulated.get_candles(WETH, Timeframe.M5, 10, before=before)
    assert len(candles) == 10
    assert [c.t for c in candles] == sorted(c.t for c in candles)
    assert candles[-1].t < before
    future = await simulated.get_candles(WETH, Timeframe.M5, 3, before=int(NOW.timestamp()) + 10_000)
    assert future[-1].t <= NOW.timestamp()


async def test_a_long_daily_chart_is_computed() -> None:
    days = await market().get_candles(WETH, Timeframe.D1, 120)  # runs in a worker thread
    assert len(days) == 120 and days[-1].t == int(NOW.timestamp()) // 86400 * 86400


# -- types and labels ----------------------------------------------------------------------------


async def test_ticks_are_decimal_labelled_and_in_utc() -> None:
    ticks = await market().get_prices([token.address for token in TOKENS[:30]])
    for tick in ticks.values():
        for value in (tick.price_usd, tick.change_24h_pct, tick.volume_24h_usd, tick.liquidity_usd):
            assert isinstance(value, Decimal)
        assert tick.source == "simulated"
        assert tick.as_of.utcoffset() == timedelta(0)
        assert tick.price_usd > 0 and tick.liquidity_usd > 0


async def test_json_has_plain_decimal_strings_even_for_tiny_prices() -> None:
    mog = BY_SYMBOL["Mog"].address
    tick = (await market().get_prices([mog]))[mog]
    dumped = tick.model_dump(mode="json")
    assert isinstance(dumped["price_usd"], str) and "E" not in dumped["price_usd"].upper()
    assert Decimal(dumped["price_usd"]) == tick.price_usd
    candle = (await market().get_candles(mog, Timeframe.H1, 1))[0].model_dump(mode="json")
    assert all(isinstance(candle[k], str) for k in "ohlcv") and isinstance(candle["t"], int)


async def test_candles_carry_decimals() -> None:
    for candle in await market().get_candles(USDC, Timeframe.M15, 20):
        assert all(isinstance(getattr(candle, k), Decimal) for k in "ohlcv")


async def test_addresses_match_in_any_case_and_come_back_checksummed() -> None:
    ticks = await market().get_prices([WETH.lower(), BRETT.upper().replace("0X", "0x")])
    assert set(ticks) == {WETH, BRETT}


# -- refusals ------------------------------------------------------------------------------------


async def test_more_than_30_addresses_per_call_is_refused_clearly() -> None:
    addresses = [token.address for token in TOKENS[: MAX_PRICES_PER_CALL + 1]]
    with pytest.raises(TooManyTokens) as refused:
        await market().get_prices(addresses)
    assert isinstance(refused.value, BadRequest) and refused.value.status_code == 400
    assert "at most 30" in refused.value.detail


async def test_unknown_tokens_are_not_found() -> None:
    simulated = market()
    with pytest.raises(UnknownToken) as unknown:
        await simulated.get_prices([WETH, NOT_LISTED])
    assert isinstance(unknown.value, NotFound) and unknown.value.status_code == 404
    with pytest.raises(UnknownToken):
        await simulated.get_candles(NOT_LISTED, Timeframe.H1, 10)
    with pytest.raises(UnknownToken):
        await simulated.get_token(NOT_LISTED)
    assert (await simulated.get_token(WETH.lower())).symbol == "WETH"


@pytest.mark.parametrize(
    "bad", ["", "WETH", "4200000000000000000000000000000000000006", "0x42", "0x" + "g" * 40]
)
async def test_malformed_addresses_say_why(bad: str) -> None:
    with pytest.raises(InvalidAddress) as invalid:
        await market().get_prices([bad])
    assert invalid.value.status_code == 400 and "0x" in invalid.value.detail


@pytest.mark.parametrize("limit", [0, -1, 1001])
async def test_candle_limits_are_checked(limit: int) -> None:
    with pytest.raises(InvalidCandleRequest):
        await market().get_candles(WETH, Timeframe.H1, limit)


# -- the fast paths give what the plain code gives -----------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2**32 - 1, 2**32, 2**64 - 1, 0x9E3779B97F4A7C15])
def test_numpy_draws_are_the_python_random_draws(seed: int) -> None:
    """Days of minutes are drawn by numpy from the same seeds as `random.Random`: the same numbers."""
    rng = random.Random(seed)
    assert simulated._uniforms(seed, 2000).tolist() == [rng.random() for _ in range(2000)]


def test_daily_anchors_are_the_plain_sum_of_their_shocks() -> None:
    path = simulated._TokenPath(BY_SYMBOL["BRETT"], seed=7)
    phi, sigma = path._dynamics.anchor_persistence, path._dynamics.daily_vol
    for day in (20_000, 20_418, 20_419, 20_600):
        expected = sum(phi**k * sigma * path._shock(day - k) for k in range(simulated.ANCHOR_WINDOW_DAYS))
        assert path._anchor(day) == expected  # the very float, not just close


@pytest.mark.parametrize("symbol", ["WETH", "USDC", "BRETT"])
@pytest.mark.parametrize("timeframe", list(Timeframe))
def test_a_days_bars_at_once_equal_the_bars_merged_one_by_one(symbol: str, timeframe: Timeframe) -> None:
    """A day's bars are cut from its minutes with numpy; `completed_bar` merges minutes and hours one
    at a time (the forming bar still does): both must give the same floats."""
    path = simulated._TokenPath(BY_SYMBOL[symbol], seed=7)
    day = int(NOW.timestamp()) // 86400 - 1
    width = timeframe.seconds
    piece = path.day_candles(day, width)
    count = 86400 // width
    minutes = [(day * 86400 + i * width) // 60 for i in range(count + 1)]
    scalar = [
        simulated._in_usd(path.completed_bar(a, b), path.reference) for a, b in itertools.pairwise(minutes)
    ]
    assert [piece._values(i) for i in range(count)] == scalar  # the very floats, before any rounding
    assert piece.candles(0, count) == [
        simulated._candle(day * 86400 + i * width, bar) for i, bar in enumerate(scalar)
    ]


@pytest.mark.parametrize("symbol", ["WETH", "USDC", "BRETT", "Mog"])
@pytest.mark.parametrize("timeframe", list(Timeframe))
async def test_candles_as_json_are_what_pydantic_writes_for_the_candles(
    symbol: str, timeframe: Timeframe
) -> None:
    simulated_market = market(now=NOW + timedelta(seconds=7))
    address = BY_SYMBOL[symbol].address
    for limit, before in ((40, None), (40, None), (3, int(NOW.timestamp()) - 5 * timeframe.seconds - 1)):
        written = await simulated_market.get_candles_json(address, timeframe, limit, before)
        candles = await simulated_market.get_candles(address, timeframe, limit, before)
        assert written == CANDLE_LIST.dump_json(candles) and len(candles) == limit


def test_plain_decimal_text_matches_the_decimals() -> None:
    """Candle JSON writes decimals without making Decimals: the same digits as format(Decimal, "f")."""
    values = [0.0, -0.0, 1.0, 0.5, 9.99999995, 99999999.5, 12345678.0, 1e20, 1e-20, 1e30, -0.004]
    values += [sign * 10 ** (exponent / 7) for exponent in range(-105, 106) for sign in (1, -1)]
    for value in values:
        assert simulated._plain_significant(value) == format(simulated._significant(value), "f")
        assert simulated._plain_cents(value) == format(simulated._cents(value), "f")


@pytest.mark.parametrize("symbol", ["WETH", "USDC"])
def test_days_built_together_are_the_days_built_alone(symbol: str) -> None:
    """A long chart builds its days in one batch; each must be the day a short chart builds alone."""
    days = [20_400, 20_401, 20_419]
    together = simulated._TokenPath(BY_SYMBOL[symbol], seed=7)._build_days(days)
    alone = simulated._TokenPath(BY_SYMBOL[symbol], seed=7)
    for day, built in zip(days, together, strict=True):
        single = alone.day(day)
        for name in ("points", "highs", "lows", "cumulative_volume"):
            assert np.array_equal(getattr(built, name), getattr(single, name)), (day, name)


@pytest.mark.parametrize("symbol", ["WETH", "USDC", "BRETT", "Mog"])
def test_hour_bars_of_a_long_chart_are_the_hours_of_its_days_of_minutes(symbol: str) -> None:
    """A long chart makes hour bars without pricing every minute (the high is the price of the highest
    log high): each must be the very bar a day of minutes gives, stablecoins' peg included."""
    days = list(range(20_220, 20_420))  # 200 days: a daily chart
    hours = simulated._TokenPath(BY_SYMBOL[symbol], seed=7)._build_hour_bars(days)
    minutes = simulated._TokenPath(BY_SYMBOL[symbol], seed=7)
    for day, built in zip(days, hours, strict=True):
        expected = minutes._build_day(day).bars(60)
        for name in ("o", "h", "l", "c", "v"):
            assert np.array_equal(getattr(built, name), getattr(expected, name)), (day, name)


def test_the_chart_cache_is_bounded_in_bars_not_pieces() -> None:
    cache: simulated._LruCache[int, list[int]] = simulated._LruCache(10, weigh=len)
    for key in range(6):
        cache.put(key, [key] * 4)  # 4 bars each: two fit, a third would pass 10
    assert [key in cache for key in range(6)] == [False] * 4 + [True] * 2
    assert cache.get(4) == [4] * 4  # now the most recent: the next put evicts 5
    cache.put(6, [6] * 3)
    assert 4 in cache and 6 in cache and 5 not in cache


async def test_charts_of_every_token_share_one_bounded_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(simulated, "CHART_BARS_CACHED", 500)
    small = market()
    for token in TOKENS[:6]:
        await small.get_candles(token.address, Timeframe.M15, 200)  # ~200 bars of pieces each
    pieces = small._paths[TOKENS[0].address.lower()]._pieces
    assert pieces is small._paths[TOKENS[5].address.lower()]._pieces
    assert pieces._weight <= 500 and not small._paths[TOKENS[0].address.lower()].has_day_candles(20_417, 900)
