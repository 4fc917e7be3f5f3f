"""The simulated market: the embedded default, priced from a seeded random walk around real tokens.

The model, in log-price space around each token's reference price (for stablecoins: its peg):
- **Daily anchors.** The log-price at each UTC midnight is an AR(1) process, written as a truncated
  moving average of hashed daily shocks: anchor(d) = sum_k phi^k * sigma_day * z(d - k), k < 256.
  It mean-reverts towards the reference, so a year-long run stays plausible, and it needs no epoch.
- **Minutes.** Inside a day the path is a Brownian bridge from anchor(d) to anchor(d + 1): 1,440 shocks
  from a PRNG seeded by a hash of (seed, token, day), shifted so the day ends exactly on the next anchor.
  Each minute gets a wick above and below and a volume (the token's 24h volume / 1,440 with log-uniform
  noise of mean one, higher when the price moves). Stablecoins are squashed into +/-0.15% of the peg
  with tanh.
- **Seconds.** The minute being formed walks open -> first extreme -> second extreme -> close at hashed
  instants, so a price can move every second and still end exactly on the minute's candle.
- Volatilities per class (`DYNAMICS`) give stablecoins < blue chips < mid caps < memecoins < new tokens.

Why it is deterministic: every random number is a pure function of (seed, token, day or minute), not
of call order or of what was computed before, so two instances (or a restart) agree on every price
without sharing state. Candles of every timeframe are aggregates of the same 1-minute bars, and a tick
is the close of the forming 1-minute bar, so a chart, a tick and a simulated fill always agree.
Caches only avoid recomputation; they never change a result. (Across CPUs, libm may differ in the last
bit of a float; prices are rounded to 8 significant digits at the edge, which hides that.)
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import math
import random
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Generic, NamedTuple, TypeVar

from eaili5.market.errors import UnknownToken
from eaili5.market.providers.base import (
    MarketProvider,
    address_key,
    check_candle_limit,
    check_price_batch,
    check_trade_limit,
)
from eaili5.market.schemas import Candle, MarketTrade, PriceTick, Timeframe, Token, VolatilityClass
from eaili5.market.snapshot import load_snapshot_tokens

MINUTES_PER_DAY = 1440
SECONDS_PER_DAY = 86_400
ANCHOR_WINDOW_DAYS = 256
# Closed candles kept per (token, timeframe, limit, newest open): a chart's 200 bars are ~140 KB of
# objects, so 256 series stay under ~40 MB; longer series are computed every time.
CLOSED_CANDLE_SERIES = 256
CACHED_CANDLE_LIMIT = 200
# Computing a day of minutes takes a few ms; beyond this many days a candle request runs in a thread
# so one long chart does not stall every WebSocket on the event loop.
DAYS_COMPUTED_INLINE = 3

_UNIFORM_TO_UNIT_STD = math.sqrt(3.0)  # a uniform on [-1, 1] has std 1/sqrt(3)
_VOLUME_SPREAD = 1.2
_VOLUME_MEAN = math.sinh(_VOLUME_SPREAD) / _VOLUME_SPREAD  # mean of exp(s * U[-1, 1])

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class ClassDynamics:
    daily_vol: float  # std of the daily anchor shocks (log units)
    anchor_persistence: float  # AR(1) coefficient per day: closer to 1 reverts more slowly
    minute_vol: float  # std of a minute's shock inside the day (log units)
    peg_band: float | None = None  # stablecoins: |log deviation| stays below this


DYNAMICS: dict[VolatilityClass, ClassDynamics] = {
    "stablecoin": ClassDynamics(0.0003, 0.5, 0.00002, peg_band=0.0015),
    "blue_chip": ClassDynamics(0.03, 0.97, 0.03 / 38),  # 38 ~ sqrt(1440): minutes add up to a day
    "mid_cap": ClassDynamics(0.05, 0.97, 0.05 / 38),
    "memecoin": ClassDynamics(0.10, 0.96, 0.10 / 38),
    "new_illiquid": ClassDynamics(0.16, 0.95, 0.16 / 38),
}


def _hash64(*parts: object) -> int:
    text = ":".join(str(part) for part in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def _gaussian(key: int) -> float:
    """A standard normal from 64 hashed bits (Box-Muller), so it needs no PRNG state."""
    u1 = ((key >> 32) + 0.5) / 2**32
    u2 = ((key & 0xFFFFFFFF) + 0.5) / 2**32
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


class _Bar(NamedTuple):
    """OHLCV as multiples of the reference price (volume in USD); converted to Decimal at the edge."""

    o: float
    h: float
    l: float  # noqa: E741 - matches Candle
    c: float
    v: float

    def then(self, later: _Bar) -> _Bar:
        return _Bar(self.o, max(self.h, later.h), min(self.l, later.l), later.c, self.v + later.v)


def _merge(bars: Iterable[_Bar]) -> _Bar:
    iterator = iter(bars)
    merged = next(iterator)
    for bar in iterator:
        merged = merged.then(bar)
    return merged


class _LruCache(Generic[K, V]):
    """A small thread-safe LRU; values are pure functions of their keys, so racing writers agree."""

    def __init__(self, max_entries: int) -> None:
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()

    def get_or_compute(self, key: K, compute: Callable[[K], V]) -> V:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = compute(key)  # outside the lock: the slow part, and pure
        with self._lock:
            self._entries[key] = value
            if len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return value

    def get(self, key: K) -> V | None:
        with self._lock:
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            if len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def __contains__(self, key: K) -> bool:
        with self._lock:
            return key in self._entries


@dataclass(frozen=True)
class _DayPath:
    """One UTC day of 1-minute bars; `points[i]` opens minute i and `points[i + 1]` closes it."""

    points: array[float]
    highs: array[float]
    lows: array[float]
    cumulative_volume: array[float]  # volume traded from midnight to the start of minute i

    def bar(self, first: int, end: int) -> _Bar:
        """Minutes [first, end) of this day merged into one bar."""
        return _Bar(
            self.points[first],
            max(self.highs[first:end]),
            min(self.lows[first:end]),
            self.points[end],
            self.cumulative_volume[end] - self.cumulative_volume[first],
        )


class _TokenPath:
    """Every price of one token, as pure functions of (seed, token, time), with caches in front."""

    def __init__(self, token: Token, seed: int) -> None:
        self.token = token
        self._key = f"{seed}:{token.address.lower()}"
        self._dynamics = DYNAMICS[token.volatility_class]
        self.reference = float(token.reference_price_usd)
        self._minute_volume = float(token.main_pool.volume_24h_usd) / MINUTES_PER_DAY
        phi, sigma = self._dynamics.anchor_persistence, self._dynamics.daily_vol
        self._anchor_weights = [phi**k * sigma for k in range(ANCHOR_WINDOW_DAYS)]
        self._shocks: dict[int, float] = {}
        self._anchors: dict[int, float] = {}
        self._days: _LruCache[int, _DayPath] = _LruCache(8)
        self._hours: _LruCache[int, tuple[_Bar, ...]] = _LruCache(1200)

    # -- daily anchors ---------------------------------------------------------------------------
    def _anchor(self, day: int) -> float:
        anchor = self._anchors.get(day)
        if anchor is None:
            anchor = sum(w * self._shock(day - k) for k, w in enumerate(self._anchor_weights))
            self._anchors[day] = anchor
        return anchor

    def _shock(self, day: int) -> float:
        shock = self._shocks.get(day)
        if shock is None:
            shock = self._shocks[day] = _gaussian(_hash64(self._key, "day", day))
        return shock

    # -- one day of minutes ----------------------------------------------------------------------
    def day(self, day: int) -> _DayPath:
        return self._days.get_or_compute(day, self._build_day)

    def _build_day(self, day: int) -> _DayPath:
        # Uniform draws (one C call each) rather than Gaussian ones: over hundreds of minutes the sum is
        # Gaussian anyway, and building a day is 4x faster, which is what a 1,000-day chart pays for.
        rng = random.Random(_hash64(self._key, "minutes", day))  # noqa: S311 - simulation, not security
        log_points = self._bridge(rng, self._anchor(day), self._anchor(day + 1))
        sigma = self._dynamics.minute_vol
        moves = list(itertools.pairwise(log_points))
        # Conditional expressions instead of max()/min() calls: this runs 1,440 times per day built.
        highs = [(o if o > c else c) + sigma * rng.random() for o, c in moves]
        lows = [(o if o < c else c) - sigma * rng.random() for o, c in moves]
        # Busier when the price moves, like real pools; noise exp(s * U[-1, 1]) / its mean has mean one.
        scale = self._minute_volume / _VOLUME_MEAN
        volumes = [
            scale * (0.6 + 0.5 * abs(c - o) / sigma) * math.exp(_VOLUME_SPREAD * (2.0 * rng.random() - 1.0))
            for o, c in moves
        ]
        return _DayPath(
            points=self._to_multiples(log_points),
            highs=self._to_multiples(highs),
            lows=self._to_multiples(lows),
            cumulative_volume=array("d", itertools.accumulate(volumes, initial=0.0)),
        )

    def _bridge(self, rng: random.Random, start: float, end: float) -> list[float]:
        step = self._dynamics.minute_vol * _UNIFORM_TO_UNIT_STD
        shocks = [step * (2.0 * rng.random() - 1.0) for _ in range(MINUTES_PER_DAY)]
        walk = list(itertools.accumulate(shocks, initial=0.0))
        pull = (end - start - walk[-1]) / MINUTES_PER_DAY
        path = [start + w + pull * i for i, w in enumerate(walk)]
        path[-1] = end  # exactly, so the next day opens where this one closes
        return path

    def _to_multiples(self, log_deviations: list[float]) -> array[float]:
        band = self._dynamics.peg_band
        if band is None:
            return array("d", map(math.exp, log_deviations))
        # tanh squashes a stablecoin's deviation smoothly into +/-band: the peg holds whatever the seed.
        return array("d", (math.exp(band * math.tanh(x / band)) for x in log_deviations))

    def hour_bars(self, day: int) -> tuple[_Bar, ...]:
        return self._hours.get_or_compute(day, self._build_hours)

    def _build_hours(self, day: int) -> tuple[_Bar, ...]:
        path = self.day(day)
        return tuple(path.bar(first, first + 60) for first in range(0, MINUTES_PER_DAY, 60))

    def has_day(self, day: int) -> bool:
        return day in self._hours or day in self._days

    # -- bars over any span ----------------------------------------------------------------------
    def completed_bar(self, first_minute: int, end_minute: int) -> _Bar:
        """Finished minutes [first, end) merged; whole hours come from the small hourly cache."""
        pieces: list[_Bar] = []
        minute = first_minute
        while minute < end_minute:
            day, offset = divmod(minute, MINUTES_PER_DAY)
            stop = min(end_minute - day * MINUTES_PER_DAY, MINUTES_PER_DAY)
            if offset % 60 == 0 and stop % 60 == 0:
                pieces.extend(self.hour_bars(day)[offset // 60 : stop // 60])
            else:
                pieces.append(self.day(day).bar(offset, stop))
            minute = day * MINUTES_PER_DAY + stop
        return _merge(pieces)

    def forming_minute(self, at: int) -> _Bar:
        """The minute containing second `at`, as far as it has formed by then."""
        minute, second = divmod(at, 60)
        day, offset = divmod(minute, MINUTES_PER_DAY)
        full = self.day(day).bar(offset, offset + 1)
        if second == 0:
            return _Bar(full.o, full.o, full.o, full.o, 0.0)
        shape = self._minute_shape(minute, full)
        price = _interpolate(shape, second)
        seen = [value for time, value in shape if time <= second] + [price]
        return _Bar(full.o, max(seen), min(seen), price, full.v * second / 60)

    def _minute_shape(self, minute: int, full: _Bar) -> list[tuple[int, float]]:
        bits = _hash64(self._key, "shape", minute)  # a pure function of the minute, like everything here
        first_extreme, second_extreme = (full.h, full.l) if bits & 1 else (full.l, full.h)
        first_time, second_time = 6 + (bits >> 1) % 22, 33 + (bits >> 8) % 22
        return [(0, full.o), (first_time, first_extreme), (second_time, second_extreme), (60, full.c)]

    def bar(self, first_second: int, end_second: int, now: int) -> _Bar:
        """The bar for [first, end) as seen at `now`: finished minutes plus the forming one."""
        current_minute = now // 60
        first_minute, end_minute = first_second // 60, min(end_second // 60, current_minute)
        pieces = [self.completed_bar(first_minute, end_minute)] if end_minute > first_minute else []
        if end_second > now:
            pieces.append(self.forming_minute(now))
        return _merge(pieces)

    def price_at(self, at: int) -> float:
        """The price (as a multiple of the reference) at second `at`: the close of the minute so far."""
        return self.forming_minute(at).c

    def minute_trades(self, minute: int) -> list[tuple[int, float, float]]:
        """The swaps of one finished minute as (unix second, price multiple, USD size), oldest first.

        They are cut from the same path as the candles: each trades at the path's price at its second,
        their sizes add up to the minute's volume, and a trade that moved the price up is a buy.
        """
        day, offset = divmod(minute, MINUTES_PER_DAY)
        volume = self.day(day).bar(offset, offset + 1).v
        count = max(1, min(MAX_TRADES_PER_MINUTE, round(volume / SIMULATED_AVERAGE_TRADE_USD)))
        bits = [_hash64(self._key, "trade", minute, i) for i in range(count)]
        seconds = sorted({1 + b % 59 for b in bits})
        weights = [math.exp(_VOLUME_SPREAD * (2.0 * ((b >> 8) % 1000) / 999 - 1.0)) for b in bits]
        scale = volume / sum(weights[: len(seconds)])
        start = minute * 60
        return [
            (start + second, self.price_at(start + second), weight * scale)
            for second, weight in zip(seconds, weights, strict=False)
        ]

    def volume_since_midnight(self, at: int) -> float:
        day, second_of_day = divmod(at, SECONDS_PER_DAY)
        minute, second = divmod(second_of_day, 60)
        cumulative = self.day(day).cumulative_volume
        return cumulative[minute] + (cumulative[minute + 1] - cumulative[minute]) * second / 60

    def volume_between(self, start: int, end: int) -> float:
        first_day, last_day = start // SECONDS_PER_DAY, end // SECONDS_PER_DAY
        total = self.volume_since_midnight(end) - self.volume_since_midnight(start)
        for day in range(first_day, last_day):
            total += self.day(day).cumulative_volume[-1]
        return total


def _interpolate(shape: list[tuple[int, float]], second: int) -> float:
    for (t0, v0), (t1, v1) in itertools.pairwise(shape):
        if t0 <= second <= t1:
            return v0 + (v1 - v0) * (second - t0) / (t1 - t0)
    return shape[-1][1]


def _significant(value: float, digits: int = 8) -> Decimal:
    return Decimal(f"{value:.{digits - 1}e}")


def _cents(value: float) -> Decimal:
    return Decimal(f"{value:.2f}") + 0  # + 0 turns "-0.00" into "0.00"


def _utc_now() -> datetime:
    return datetime.now(UTC)


# Typical DEX swap size on Base, used to turn simulated volume into a transaction count.
SIMULATED_AVERAGE_TRADE_USD = 350.0
# Busy pools trade hundreds of times a minute; a list of recent trades needs only a handful of them.
MAX_TRADES_PER_MINUTE = 12
# How far back recent trades are looked for (a quiet token trades at least once a minute here anyway).
TRADES_LOOKBACK_MINUTES = 60


class SimulatedMarket(MarketProvider):
    """Embedded market data: real Base tokens, simulated prices; every tick says source "simulated"."""

    name = "simulated"
    has_trades = True

    def __init__(
        self,
        seed: int = 0,
        now_fn: Callable[[], datetime] = _utc_now,
        tokens: Sequence[Token] | None = None,
    ) -> None:
        self.seed = seed
        self._now_fn = now_fn
        self._tokens = list(tokens if tokens is not None else load_snapshot_tokens())
        self._paths = {token.address.lower(): _TokenPath(token, seed) for token in self._tokens}
        self._last_ticks: dict[str, tuple[int, PriceTick]] = {}
        self._closed_candles: _LruCache[tuple[str, int, int, int], tuple[Candle, ...]] = _LruCache(
            CLOSED_CANDLE_SERIES
        )

    async def list_tokens(self) -> list[Token]:
        return list(self._tokens)

    async def get_prices(self, addresses: Sequence[str]) -> dict[str, PriceTick]:
        paths = [self._path(key) for key in check_price_batch(addresses)]
        at = int(self._now_fn().timestamp())
        return {path.token.address: self._tick(path, at) for path in paths}

    async def get_candles(
        self, address: str, timeframe: Timeframe, limit: int, before: int | None = None
    ) -> list[Candle]:
        check_candle_limit(limit)
        path = self._path(address_key(address))
        now = int(self._now_fn().timestamp())
        width = timeframe.seconds
        last_open = _last_open(width, now, before)
        opens = [last_open - i * width for i in reversed(range(limit))]
        if limit > CACHED_CANDLE_LIMIT:
            return await self._compute_candles(path, opens, width, now)
        # Every bar but the newest has closed (it ends at or before `last_open` <= now), and a closed bar
        # is a pure function of time: charts reuse them until the newest bar's open time moves on.
        key = (path.token.address, width, limit, last_open)
        closed = self._closed_candles.get(key)
        if closed is None:
            closed = tuple(await self._compute_candles(path, opens[:-1], width, now))
            self._closed_candles.put(key, closed)
        return [*closed, *self._candles(path, opens[-1:], width, now)]

    async def _compute_candles(
        self, path: _TokenPath, opens: list[int], width: int, now: int
    ) -> list[Candle]:
        days = {t // SECONDS_PER_DAY for t in opens}
        if sum(not path.has_day(day) for day in days) > DAYS_COMPUTED_INLINE:
            return await asyncio.to_thread(self._candles, path, opens, width, now)
        return self._candles(path, opens, width, now)

    async def get_recent_trades(self, address: str, limit: int) -> list[MarketTrade]:
        check_trade_limit(limit)
        path = self._path(address_key(address))
        now = int(self._now_fn().timestamp())
        trades: list[MarketTrade] = []
        for minute in range(now // 60 - 1, now // 60 - 1 - TRADES_LOOKBACK_MINUTES, -1):
            for at, multiple, usd in reversed(path.minute_trades(minute)):
                trades.append(self._trade(path, at, multiple, usd))
            if len(trades) >= limit:
                break
        return trades[:limit]

    @staticmethod
    def _trade(path: _TokenPath, at: int, multiple: float, usd: float) -> MarketTrade:
        price = _significant(multiple * path.reference)
        went_up = multiple >= path.price_at(at - 1)
        return MarketTrade(
            at=datetime.fromtimestamp(at, UTC),
            side="buy" if went_up else "sell",
            price_usd=price,
            amount=_significant(usd / (multiple * path.reference)),
            amount_usd=_cents(usd),
            dex=path.token.main_pool.dex,
        )

    def price_at(self, address: str, at: datetime) -> Decimal:
        """The simulated price at any moment: what a fill at that time would use."""
        path = self._path(address_key(address))
        return _significant(path.forming_minute(int(at.timestamp())).c * path.reference)

    def _path(self, key: str) -> _TokenPath:
        path = self._paths.get(key)
        if path is None:
            raise UnknownToken(key)
        return path

    def _tick(self, path: _TokenPath, at: int) -> PriceTick:
        # Many callers poll within the same second (every instance, every channel): reuse the answer.
        cached = self._last_ticks.get(path.token.address)
        if cached is not None and cached[0] == at:
            return cached[1]
        tick = self._compute_tick(path, at)
        self._last_ticks[path.token.address] = (at, tick)
        return tick

    def _compute_tick(self, path: _TokenPath, at: int) -> PriceTick:
        price = path.forming_minute(at).c
        day_ago = path.forming_minute(at - SECONDS_PER_DAY).c
        hour_ago = path.forming_minute(at - 3600).c
        volume = path.volume_between(at - SECONDS_PER_DAY, at)
        liquidity = float(path.token.main_pool.liquidity_usd) * math.sqrt(price)  # x*y=k: TVL ~ sqrt(p)
        return PriceTick(
            address=path.token.address,
            price_usd=_significant(price * path.reference),
            change_24h_pct=_cents((price / day_ago - 1.0) * 100.0),
            volume_24h_usd=_cents(volume),
            liquidity_usd=_cents(liquidity),
            as_of=datetime.fromtimestamp(at, UTC),
            source="simulated",
            change_1h_pct=_cents((price / hour_ago - 1.0) * 100.0),
            transactions_24h=int(volume / SIMULATED_AVERAGE_TRADE_USD),
            pool_address=path.token.main_pool.address,
        )

    @staticmethod
    def _candles(path: _TokenPath, opens: list[int], width: int, now: int) -> list[Candle]:
        reference = path.reference
        candles = []
        for opened in opens:
            bar = path.bar(opened, opened + width, now)
            candles.append(
                Candle(
                    t=opened,
                    o=_significant(bar.o * reference),
                    h=_significant(bar.h * reference),
                    l=_significant(bar.l * reference),
                    c=_significant(bar.c * reference),
                    v=_cents(bar.v),
                )
            )
        return candles


def _last_open(width: int, now: int, before: int | None) -> int:
    """Open time of the newest candle to return: never in the future, always before `before`."""
    newest = now if before is None else min(now, before - 1)
    return newest - newest % width
