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

How it is computed: a day of minutes is built with numpy (~0.2 ms instead of ~5 ms), drawing the very
numbers `random.Random` would and doing the same float operations in the same order, so every price is
the one the plain Python version of this model gave (tests/market/test_simulated.py compares). Charts are
cut from per-day bars of each width, made once and also kept as the API's JSON: a closed bar never changes.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import math
import random
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Generic, NamedTuple, TypeVar, cast

import numpy as np

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
# The closed bars of a chart as JSON, per (token, timeframe, limit, newest open): ~110 bytes a bar, so
# 1,024 series of up to 200 bars stay near 20 MB. They are joined from the day pieces below, so a miss
# (the newest bar moved on, a longer chart) costs a join, not a computation.
CLOSED_JSON_SERIES = 1024
CACHED_CANDLE_LIMIT = 200
# The bars of one UTC day at one width, for every token, at most this many bars in all (~300 bytes a
# bar as floats and JSON, so ~45 MB): 200-bar charts of 4 timeframes of 56 tokens need ~72,000. Counted
# in bars, not pieces, so walking `before` back through history cannot grow it past that.
CHART_BARS_CACHED = 150_000
# Hour bars of a day, per token: they only speed up making the 1h/4h/12h/1d pieces and the forming bar.
HOUR_DAYS_PER_TOKEN = 64
# Minutes of a day (46 KB each), per token: the recent days that ticks, trades and short charts read.
MINUTE_DAYS_PER_TOKEN = 8
# Building a day of minutes takes ~0.1 ms; beyond this many days a chart is computed on a worker thread
# (numpy releases the GIL in its loops) so a long daily chart does not stall the event loop.
DAYS_COMPUTED_INLINE = 8
# Days built together for a long chart (4 x 1,440 draws each: ~1.5 MB of floats per batch).
DAYS_PER_BATCH = 32
# Daily anchors are computed for this many days either side of the one asked (~2 us a day in a block).
ANCHOR_BLOCK_DAYS = 64

_UNIFORM_TO_UNIT_STD = math.sqrt(3.0)  # a uniform on [-1, 1] has std 1/sqrt(3)
_VOLUME_SPREAD = 1.2
_VOLUME_MEAN = math.sinh(_VOLUME_SPREAD) / _VOLUME_SPREAD  # mean of exp(s * U[-1, 1])
_MINUTE_INDEX = np.arange(MINUTES_PER_DAY + 1, dtype=np.float64)

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


# -- numpy, bit for bit like the scalar code it replaced ----------------------------------------
_uniform_source = threading.local()


def _uniforms(seed: int, count: int) -> np.ndarray:
    """The first `count` draws of `random.Random(seed).random()`, made by numpy's MT19937.

    Both seed the Mersenne Twister with init_by_array over the seed's 32-bit words and build a double
    from two outputs the same way, so the draws are identical (tests/market/test_simulated.py checks).
    """
    generator = getattr(_uniform_source, "generator", None)
    if generator is None:
        generator = _uniform_source.generator = np.random.RandomState()
    if seed >= 2**32:
        generator.seed(np.array([seed & 0xFFFFFFFF, seed >> 32], dtype=np.uint32))
    else:  # numpy reads a one-word array as a scalar seed (another init): copy Python's state instead
        state = random.Random(seed).getstate()[1]  # noqa: S311 - simulation, not security
        generator.set_state(("MT19937", np.array(state[:-1], dtype=np.uint32), state[-1], 0, 0.0))
    return generator.random_sample(count)


def _libm_exp_is_numpy_exp() -> bool:
    # numpy's float64 exp is the C library's on most CPUs, its own SIMD code on some (AVX-512): only the
    # former gives the very same floats as math.exp, which keeps prices identical wherever this runs.
    sample = np.random.RandomState(0).uniform(-5.0, 5.0, 20_000)
    return bool(np.array_equal(np.exp(sample), np.fromiter(map(math.exp, sample.tolist()), np.float64)))


_NUMPY_EXP_MATCHES = _libm_exp_is_numpy_exp()


def _exp(values: np.ndarray) -> np.ndarray:
    if _NUMPY_EXP_MATCHES:
        exact: np.ndarray = np.exp(values)
        return exact
    return _libm(math.exp, values)


def _tanh(values: np.ndarray) -> np.ndarray:
    # numpy's tanh is SIMD code that differs from libm in the last bit: stablecoins only, so keep libm.
    return _libm(math.tanh, values)


def _libm(function: Callable[[float], float], values: np.ndarray) -> np.ndarray:
    flat = np.fromiter(map(function, values.ravel().tolist()), np.float64, values.size)
    return flat.reshape(values.shape)


class _Bar(NamedTuple):
    """OHLCV as multiples of the reference price (volume in USD); converted to Decimal at the edge."""

    o: float
    h: float
    l: float  # noqa: E741 - matches Candle
    c: float
    v: float

    def then(self, later: _Bar) -> _Bar:
        return _Bar(self.o, max(self.h, later.h), min(self.l, later.l), later.c, self.v + later.v)


def _merge(bars: list[_Bar]) -> _Bar:
    merged = bars[0]
    for bar in bars[1:]:
        merged = merged.then(bar)
    return merged


class _Bars(NamedTuple):
    """Consecutive bars of one day as arrays (multiples of the reference; volume in USD)."""

    o: np.ndarray
    h: np.ndarray
    l: np.ndarray  # noqa: E741 - matches Candle
    c: np.ndarray
    v: np.ndarray

    def bar(self, index: int) -> _Bar:
        return _Bar(
            float(self.o[index]),
            float(self.h[index]),
            float(self.l[index]),
            float(self.c[index]),
            float(self.v[index]),
        )

    def grouped(self, size: int) -> _Bars:
        """Every `size` consecutive bars merged as `_Bar.then` merges them: volumes added in order
        (a cumulative sum is sequential), so a 4h bar has the very float the scalar merge gave."""
        rows = len(self.o) // size
        return _Bars(
            self.o[::size],
            self.h.reshape(rows, size).max(axis=1),
            self.l.reshape(rows, size).min(axis=1),
            self.c[size - 1 :: size],
            np.cumsum(self.v.reshape(rows, size), axis=1)[:, -1],
        )


class _LruCache(Generic[K, V]):
    """A small thread-safe LRU; values are pure functions of their keys, so racing writers agree.

    It holds at most `max_weight` in total, each value weighing `weigh(value)` (1 by default)."""

    def __init__(self, max_weight: int, weigh: Callable[[V], int] | None = None) -> None:
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._max = max_weight
        self._weigh = weigh
        self._weight = 0
        self._lock = threading.Lock()

    def get_or_compute(self, key: K, compute: Callable[[K], V]) -> V:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = compute(key)  # outside the lock: the slow part, and pure
        self.put(key, value)
        return value

    def get(self, key: K) -> V | None:
        with self._lock:
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            replaced = self._entries.pop(key, None)
            if replaced is not None:
                self._weight -= self._weight_of(replaced)
            self._entries[key] = value
            self._weight += self._weight_of(value)
            while self._weight > self._max and len(self._entries) > 1:
                self._weight -= self._weight_of(self._entries.popitem(last=False)[1])

    def _weight_of(self, value: V) -> int:
        return 1 if self._weigh is None else self._weigh(value)

    def __contains__(self, key: K) -> bool:
        with self._lock:
            return key in self._entries


@dataclass(frozen=True)
class _DayPath:
    """One UTC day of 1-minute bars; `points[i]` opens minute i and `points[i + 1]` closes it."""

    points: np.ndarray
    highs: np.ndarray
    lows: np.ndarray
    cumulative_volume: np.ndarray  # volume traded from midnight to the start of minute i

    def bar(self, first: int, end: int) -> _Bar:
        """Minutes [first, end) of this day merged into one bar."""
        return _Bar(
            float(self.points[first]),
            float(self.highs[first:end].max()),
            float(self.lows[first:end].min()),
            float(self.points[end]),
            float(self.cumulative_volume[end] - self.cumulative_volume[first]),
        )

    def bars(self, minutes: int) -> _Bars:
        """Every bar of `minutes` (a divisor of 60) of the day, each as `bar()` would make it."""
        cumulative = self.cumulative_volume
        return _Bars(
            self.points[:-1:minutes],
            self.highs.reshape(-1, minutes).max(axis=1),
            self.lows.reshape(-1, minutes).min(axis=1),
            self.points[minutes::minutes],
            cumulative[minutes::minutes] - cumulative[:-1:minutes],
        )


class _DayCandles:
    """The bars of one UTC day at one width, as Candles and as the API's JSON, each made on first use.

    Every bar of a day is a pure function of time (the path of the whole day is fixed in advance), so
    these never change; a chart shows the ones that have closed. Racing fillers write equal values.
    """

    __slots__ = ("_bars", "_candles", "_first_open", "_json", "_width")

    def __init__(self, first_open: int, width: int, bars: _Bars, reference: float) -> None:
        self._first_open, self._width = first_open, width
        # Prices in USD, multiplied like the scalar code did (`bar.o * reference`), as Python floats.
        self._bars = (
            (bars.o * reference).tolist(),
            (bars.h * reference).tolist(),
            (bars.l * reference).tolist(),
            (bars.c * reference).tolist(),
            bars.v.tolist(),
        )
        count = len(bars.o)
        self._candles: list[Candle | None] = [None] * count
        self._json: list[bytes | None] = [None] * count

    def candles(self, start: int, stop: int) -> list[Candle]:
        made = self._candles
        for index in range(start, stop):
            if made[index] is None:
                made[index] = _candle(self._first_open + index * self._width, self._values(index))
        return cast("list[Candle]", made[start:stop])  # filled just above

    def json(self, start: int, stop: int) -> list[bytes]:
        made = self._json
        for index in range(start, stop):
            if made[index] is None:
                made[index] = _candle_json(self._first_open + index * self._width, self._values(index))
        return cast("list[bytes]", made[start:stop])  # filled just above

    def __len__(self) -> int:
        return len(self._json)

    def _values(self, index: int) -> _Bar:
        o, h, low, c, v = self._bars
        return _Bar(o[index], h[index], low[index], c[index], v[index])


_PieceCache = _LruCache[tuple[str, int, int], _DayCandles]  # (path key, day, width) -> bars


def _piece_cache() -> _PieceCache:
    return _LruCache(CHART_BARS_CACHED, weigh=len)


class _TokenPath:
    """Every price of one token, as pure functions of (seed, token, time), with caches in front."""

    def __init__(self, token: Token, seed: int, pieces: _PieceCache | None = None) -> None:
        self.token = token
        self._key = f"{seed}:{token.address.lower()}"
        self._dynamics = DYNAMICS[token.volatility_class]
        self.reference = float(token.reference_price_usd)
        self._minute_volume = float(token.main_pool.volume_24h_usd) / MINUTES_PER_DAY
        phi, sigma = self._dynamics.anchor_persistence, self._dynamics.daily_vol
        self._anchor_weights = np.array([phi**k * sigma for k in range(ANCHOR_WINDOW_DAYS)])
        self._shocks: dict[int, float] = {}
        self._anchors: dict[int, float] = {}
        self._days: _LruCache[int, _DayPath] = _LruCache(MINUTE_DAYS_PER_TOKEN)
        self._hours: _LruCache[int, _Bars] = _LruCache(HOUR_DAYS_PER_TOKEN)
        self._pieces = pieces if pieces is not None else _piece_cache()  # shared by a market's tokens

    # -- daily anchors ---------------------------------------------------------------------------
    def _anchor(self, day: int) -> float:
        anchor = self._anchors.get(day)
        if anchor is None:
            # Charts read runs of days: one block shares the shocks and numpy calls of its windows.
            self._fill_anchors(day - ANCHOR_BLOCK_DAYS, day + ANCHOR_BLOCK_DAYS)
            anchor = self._anchors[day]
        return anchor

    def _fill_anchors(self, first: int, last: int) -> None:
        """Anchors of days [first, last], each sum(w_k * shock(day - k)) added left to right like the
        Python sum it replaced (a cumulative sum is sequential), so each is the very same float."""
        shocks = np.array([self._shock(day) for day in range(first - ANCHOR_WINDOW_DAYS + 1, last + 1)])
        # Row i holds shock(first + i - k) for k = 0, 1, ...: the window of day first + i, newest first.
        windows = np.lib.stride_tricks.sliding_window_view(shocks, ANCHOR_WINDOW_DAYS)[:, ::-1]
        sums = np.cumsum(windows * self._anchor_weights, axis=1)[:, -1].tolist()
        self._anchors.update(zip(range(first, last + 1), sums, strict=True))

    def _shock(self, day: int) -> float:
        shock = self._shocks.get(day)
        if shock is None:
            shock = self._shocks[day] = _gaussian(_hash64(self._key, "day", day))
        return shock

    # -- one day of minutes ----------------------------------------------------------------------
    def day(self, day: int) -> _DayPath:
        return self._days.get_or_compute(day, self._build_day)

    def _build_day(self, day: int) -> _DayPath:
        return self._build_days([day])[0]

    def _build_days(self, days: Sequence[int]) -> list[_DayPath]:
        """Days of minutes, one row per day: numpy calls cost more than their work on 1,440 numbers,
        so a long chart builds its days together. Every row gets the operations a lone day gets."""
        log_points, highs, lows, cumulative = self._log_days(days)
        points, highs, lows = (self._to_multiples(values) for values in (log_points, highs, lows))
        return [_DayPath(points[row], highs[row], lows[row], cumulative[row]) for row in range(len(days))]

    def _build_hour_bars(self, days: Sequence[int]) -> list[_Bars]:
        """The hour bars of days, as `day(d).bars(60)` makes them, without a day of minutes in prices.

        Turning a log deviation into a price (`_to_multiples`: exp, and tanh for a peg) is most of the
        cost of a day where numpy's exp is not the C library's, and it rises with its argument: so the
        highest minute of an hour is the one with the highest log high, and the price of that one alone
        is the hour's high (the lowest likewise). Opens, closes and volumes are the very same numbers."""
        log_points, log_highs, log_lows, cumulative = self._log_days(days)
        hours = MINUTES_PER_DAY // 60
        opens = self._to_multiples(log_points[:, :-1:60])
        closes = self._to_multiples(log_points[:, 60::60])
        highs = self._to_multiples(log_highs.reshape(len(days), hours, 60).max(axis=2))
        lows = self._to_multiples(log_lows.reshape(len(days), hours, 60).min(axis=2))
        volumes = cumulative[:, 60::60] - cumulative[:, :-1:60]
        return [
            _Bars(opens[row], highs[row], lows[row], closes[row], volumes[row]) for row in range(len(days))
        ]

    def _log_days(self, days: Sequence[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Days of minutes as log deviations from the reference (points, highs, lows; one row per day)
        and cumulative volume in USD."""
        # Four blocks of uniform draws per day, in the order the scalar code drew them one by one: the
        # walk, the highs' wicks, the lows' wicks, the volume noise. Uniforms rather than Gaussians:
        # over hundreds of minutes the sum is Gaussian anyway.
        draws = np.empty((len(days), 4 * MINUTES_PER_DAY))
        for row, day in enumerate(days):
            draws[row] = _uniforms(_hash64(self._key, "minutes", day), 4 * MINUTES_PER_DAY)
        steps, high_draws, low_draws, volume_draws = (
            draws[:, block * MINUTES_PER_DAY : (block + 1) * MINUTES_PER_DAY] for block in range(4)
        )
        starts = np.array([self._anchor(day) for day in days])
        ends = np.array([self._anchor(day + 1) for day in days])
        log_points = self._bridge(steps, starts, ends)
        sigma = self._dynamics.minute_vol
        opens, closes = log_points[:, :-1], log_points[:, 1:]
        highs = np.maximum(opens, closes) + sigma * high_draws
        lows = np.minimum(opens, closes) - sigma * low_draws
        # Busier when the price moves, like real pools; noise exp(s * U[-1, 1]) / its mean has mean one.
        scale = self._minute_volume / _VOLUME_MEAN
        noise = _exp(_VOLUME_SPREAD * (2.0 * volume_draws - 1.0))
        volumes = scale * (0.6 + 0.5 * np.abs(closes - opens) / sigma) * noise
        cumulative = np.zeros((len(days), MINUTES_PER_DAY + 1))
        np.cumsum(volumes, axis=1, out=cumulative[:, 1:])  # sequential along each day, like accumulate()
        return log_points, highs, lows, cumulative

    def _bridge(self, draws: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        step = self._dynamics.minute_vol * _UNIFORM_TO_UNIT_STD
        walk = np.zeros((len(draws), MINUTES_PER_DAY + 1))
        np.cumsum(step * (2.0 * draws - 1.0), axis=1, out=walk[:, 1:])
        pull = (ends - starts - walk[:, -1]) / MINUTES_PER_DAY
        path: np.ndarray = starts[:, np.newaxis] + walk + pull[:, np.newaxis] * _MINUTE_INDEX
        path[:, -1] = ends  # exactly, so the next day opens where this one closes
        return path

    def _to_multiples(self, log_deviations: np.ndarray) -> np.ndarray:
        band = self._dynamics.peg_band
        if band is None:
            return _exp(log_deviations)
        # tanh squashes a stablecoin's deviation smoothly into +/-band: the peg holds whatever the seed.
        return _exp(band * _tanh(log_deviations / band))

    def hour_bars(self, day: int) -> _Bars:
        return self._hours.get_or_compute(day, lambda key: self.day(key).bars(60))

    def _prepare_long_chart(self, first_day: int, last_day: int, width: int) -> None:
        """Make the missing pieces of a chart of hours or longer, building their days' hour bars in
        batches (no day of minutes is kept: a long chart must not push the recent days out of their
        cache)."""
        missing = [
            day
            for day in range(first_day, last_day + 1)
            if (self._key, day, width) not in self._pieces
            and day not in self._hours
            and day not in self._days
        ]
        for start in range(0, len(missing), DAYS_PER_BATCH):
            batch = missing[start : start + DAYS_PER_BATCH]
            for day, hours in zip(batch, self._build_hour_bars(batch), strict=True):
                self._hours.put(day, hours)
                self.day_candles(day, width)  # from the hours just kept

    # -- the bars of a day at one width, for charts ----------------------------------------------
    def day_candles(self, day: int, width: int) -> _DayCandles:
        return self._pieces.get_or_compute((self._key, day, width), self._build_day_candles)

    def _build_day_candles(self, key: tuple[str, int, int]) -> _DayCandles:
        _, day, width = key
        minutes = width // 60
        # Bars of an hour or less come straight from the minutes; longer ones merge whole hours, as
        # `completed_bar` does, so both give the same floats.
        if minutes < 60:
            bars = self.day(day).bars(minutes)
        else:
            bars = self.hour_bars(day)
            if minutes > 60:
                bars = bars.grouped(minutes // 60)
        return _DayCandles(day * SECONDS_PER_DAY, width, bars, self.reference)

    def has_day_candles(self, day: int, width: int) -> bool:
        return (self._key, day, width) in self._pieces

    def closed_pieces(self, first_open: int, end: int, width: int) -> list[tuple[_DayCandles, int, int]]:
        """The bars opening in [first_open, end) (aligned to `width`) as (day piece, start, stop)."""
        if width >= 3600 and end > first_open:
            self._prepare_long_chart(first_open // SECONDS_PER_DAY, (end - 1) // SECONDS_PER_DAY, width)
        pieces = []
        opened = first_open
        while opened < end:
            day = opened // SECONDS_PER_DAY
            midnight = day * SECONDS_PER_DAY
            stop = min(end, midnight + SECONDS_PER_DAY)
            pieces.append(
                (self.day_candles(day, width), (opened - midnight) // width, (stop - midnight) // width)
            )
            opened = stop
        return pieces

    # -- bars over any span ----------------------------------------------------------------------
    def completed_bar(self, first_minute: int, end_minute: int) -> _Bar:
        """Finished minutes [first, end) merged; whole hours come from the small hourly cache."""
        pieces: list[_Bar] = []
        minute = first_minute
        while minute < end_minute:
            day, offset = divmod(minute, MINUTES_PER_DAY)
            stop = min(end_minute - day * MINUTES_PER_DAY, MINUTES_PER_DAY)
            if offset % 60 == 0 and stop % 60 == 0:
                hours = self.hour_bars(day)
                pieces.extend(hours.bar(hour) for hour in range(offset // 60, stop // 60))
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
        before, after = float(cumulative[minute]), float(cumulative[minute + 1])
        return before + (after - before) * second / 60

    def volume_between(self, start: int, end: int) -> float:
        first_day, last_day = start // SECONDS_PER_DAY, end // SECONDS_PER_DAY
        total = self.volume_since_midnight(end) - self.volume_since_midnight(start)
        for day in range(first_day, last_day):
            total += float(self.day(day).cumulative_volume[-1])
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


def _candle(opened: int, bar: _Bar) -> Candle:
    """A bar whose prices are already in USD, rounded for the wire."""
    return Candle(
        t=opened,
        o=_significant(bar.o),
        h=_significant(bar.h),
        l=_significant(bar.l),
        c=_significant(bar.c),
        v=_cents(bar.v),
    )


def _candle_json(opened: int, bar: _Bar) -> bytes:
    """`_candle(opened, bar)` as pydantic writes it in an API answer (decimals as plain digit strings),
    without making the model or its Decimals: tests/market/test_simulated.py checks both agree."""
    o, h, low, c = (
        _plain_significant(bar.o),
        _plain_significant(bar.h),
        _plain_significant(bar.l),
        _plain_significant(bar.c),
    )
    v = _plain_cents(bar.v)
    return f'{{"t":{opened},"o":"{o}","h":"{h}","l":"{low}","c":"{c}","v":"{v}"}}'.encode()


def _plain_significant(value: float) -> str:
    """`format(_significant(value), "f")` from the same "d.ddddddde+XX" text, without Decimal."""
    mantissa, _, exponent = f"{value:.7e}".partition("e")
    sign = ""
    if mantissa[0] == "-":
        sign, mantissa = "-", mantissa[1:]
    digits = mantissa[0] + mantissa[2:]  # the 8 significant digits
    point = int(exponent) + 1  # how many of them come before the decimal point
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def _plain_cents(value: float) -> str:
    """`format(_cents(value), "f")` without Decimal."""
    if abs(value) >= 1e25:  # beyond Decimal's 28 digits `+ 0` rounds: leave those to it
        return format(_cents(value), "f")
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def _in_usd(bar: _Bar, reference: float) -> _Bar:
    return _Bar(bar.o * reference, bar.h * reference, bar.l * reference, bar.c * reference, bar.v)


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
        pieces = _piece_cache()
        self._paths = {token.address.lower(): _TokenPath(token, seed, pieces) for token in self._tokens}
        self._last_ticks: dict[str, tuple[int, PriceTick]] = {}
        self._closed_json: _LruCache[tuple[str, int, int, int], bytes] = _LruCache(CLOSED_JSON_SERIES)

    async def list_tokens(self) -> list[Token]:
        return list(self._tokens)

    async def get_prices(self, addresses: Sequence[str]) -> dict[str, PriceTick]:
        paths = [self._path(key) for key in check_price_batch(addresses)]
        at = int(self._now_fn().timestamp())
        return {path.token.address: self._tick(path, at) for path in paths}

    async def get_candles(
        self, address: str, timeframe: Timeframe, limit: int, before: int | None = None
    ) -> list[Candle]:
        chart = self._chart(address, timeframe, limit, before)
        pieces = await self._closed_pieces(chart)
        closed = [candle for piece, start, stop in pieces for candle in piece.candles(start, stop)]
        return [*closed, _candle(chart.last_open, chart.newest())]

    async def get_candles_json(
        self, address: str, timeframe: Timeframe, limit: int, before: int | None = None
    ) -> bytes:
        """`get_candles` as the JSON array an API answer holds: closed bars are formatted once per day
        and joined once per series; only the newest (maybe forming) bar is made per call."""
        chart = self._chart(address, timeframe, limit, before)
        cacheable = limit <= CACHED_CANDLE_LIMIT
        key = (chart.path.token.address, chart.width, limit, chart.last_open)
        closed = self._closed_json.get(key) if cacheable else None
        if closed is None:
            pieces = await self._closed_pieces(chart)
            closed = b",".join(part for piece, start, stop in pieces for part in piece.json(start, stop))
            if cacheable:
                self._closed_json.put(key, closed)
        newest = _candle_json(chart.last_open, chart.newest())
        return b"[" + closed + b"," + newest + b"]" if closed else b"[" + newest + b"]"

    def _chart(self, address: str, timeframe: Timeframe, limit: int, before: int | None) -> _Chart:
        check_candle_limit(limit)
        path = self._path(address_key(address))
        now = int(self._now_fn().timestamp())
        width = timeframe.seconds
        last_open = _last_open(width, now, before)
        return _Chart(path, width, last_open - (limit - 1) * width, last_open, now)

    async def _closed_pieces(self, chart: _Chart) -> list[tuple[_DayCandles, int, int]]:
        # Every bar but the newest has closed (it ends at or before `last_open` <= now), and a closed bar
        # is a pure function of time: the bars of a day at a width are made once and kept.
        path, width = chart.path, chart.width
        days = range(chart.first_open // SECONDS_PER_DAY, (chart.last_open - 1) // SECONDS_PER_DAY + 1)
        missing = sum(not path.has_day_candles(day, width) for day in days)
        if missing > DAYS_COMPUTED_INLINE:
            return await asyncio.to_thread(path.closed_pieces, chart.first_open, chart.last_open, width)
        return path.closed_pieces(chart.first_open, chart.last_open, width)

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


class _Chart(NamedTuple):
    """One candle request: bars of `width` seconds opening from `first_open` to `last_open`."""

    path: _TokenPath
    width: int
    first_open: int
    last_open: int
    now: int

    def newest(self) -> _Bar:
        """The newest bar (forming unless the chart ends in the past), in USD."""
        bar = self.path.bar(self.last_open, self.last_open + self.width, self.now)
        return _in_usd(bar, self.path.reference)


def _last_open(width: int, now: int, before: int | None) -> int:
    """Open time of the newest candle to return: never in the future, always before `before`."""
    newest = now if before is None else min(now, before - 1)
    return newest - newest % width
