"""The KV layer's interface: cache, counters, locks, pub/sub and rate limits.

Two implementations share it: `MemoryKV` (one process, the embedded default) and `RedisKV`
(every instance of a deployment sees the same state). Callers never know which one they have.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError

MessageHandler = Callable[[str, bytes], Awaitable[None]]
# What a KV outage raises (Redis down, unreachable or timing out). Callers that can do without the
# KV for a while (session cache, rate limits) catch these; the rest answer 503 (core/errors.py).
KV_UNAVAILABLE: tuple[type[Exception], ...] = (RedisError, OSError)
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RateLimitResult:
    allowed: bool
    limit: int
    retry_after_seconds: int  # 0 when allowed


@lru_cache(maxsize=64)
def _parse_limit(limit: str) -> RateLimitItem:
    # The same few limit strings come with every request; parsing one is a regex match and an object.
    return parse(limit)


class Lock(ABC):
    """A lease: held until released or until `ttl` runs out, so a dead holder frees it."""

    @abstractmethod
    async def acquire(self) -> bool: ...

    @abstractmethod
    async def extend(self) -> bool:
        """Push the expiry out by `ttl` again; False if we no longer hold the lock."""

    @abstractmethod
    async def release(self) -> None: ...


class KV(ABC):
    backend: str

    def __init__(self, prefix: str, rate_limit_storage: Storage) -> None:
        self.prefix = prefix
        self._limiter = MovingWindowRateLimiter(rate_limit_storage)
        self._rate_limit_storage = rate_limit_storage
        self._inflight: dict[str, asyncio.Future[bytes]] = {}
        self._handlers: dict[str, list[MessageHandler]] = defaultdict(list)  # local pub/sub subscribers

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    # --- plain values -------------------------------------------------------------------
    @abstractmethod
    async def get(self, name: str) -> bytes | None: ...

    @abstractmethod
    async def get_many(self, *names: str) -> list[bytes | None]:
        """Several values in one round trip, in the order asked."""

    @abstractmethod
    async def set(self, name: str, value: bytes, ttl_seconds: float | None = None) -> None: ...

    @abstractmethod
    async def set_if_absent(self, name: str, value: bytes, ttl_seconds: float) -> bool: ...

    @abstractmethod
    async def take(self, name: str) -> bytes | None:
        """Get and delete atomically: single-use values such as nonces."""

    @abstractmethod
    async def delete(self, name: str) -> None: ...

    @abstractmethod
    async def incr(self, name: str, amount: int = 1, ttl_seconds: float | None = None) -> int:
        """Add to a counter; a TTL, when given, is set when the counter is created."""

    @abstractmethod
    async def scan(self, prefix: str) -> dict[str, bytes]:
        """All live keys under `prefix` (names without our global prefix). For small key sets."""

    # --- coordination -------------------------------------------------------------------
    @abstractmethod
    def lock(self, name: str, ttl_seconds: float) -> Lock: ...

    @abstractmethod
    async def publish(self, channel: str, message: bytes) -> None: ...

    async def set_and_publish(
        self, items: Sequence[tuple[str, bytes]], ttl_seconds: float, channel: str, messages: Sequence[bytes]
    ) -> None:
        """Set every item (with the TTL), then publish `messages` on `channel`, in order: whoever receives
        a message finds every item already set. Backends that can do it in one round trip do."""
        for name, value in items:
            await self.set(name, value, ttl_seconds)
        for message in messages:
            await self.publish(channel, message)

    @abstractmethod
    async def subscribe(self, channel: str, handler: MessageHandler) -> None:
        """Deliver every message on `channel` (from any instance) to `handler`."""

    @abstractmethod
    async def unsubscribe(self, channel: str, handler: MessageHandler) -> None: ...

    async def _dispatch(self, channel: str, message: bytes) -> None:
        """Hand a message to this process's subscribers; one failing handler never stops the rest."""
        for handler in list(self._handlers.get(channel, ())):
            try:
                await handler(channel, message)
            except Exception:
                logger.exception("pub/sub handler failed on channel %s", channel)

    # --- lifecycle ----------------------------------------------------------------------
    @abstractmethod
    async def ping(self) -> None: ...

    async def start(self) -> None:  # noqa: B027 - optional hook, most backends need nothing
        """Open connections and background readers (no-op for in-process)."""

    async def close(self) -> None:  # noqa: B027 - optional hook, most backends need nothing
        """Stop background readers and close connections."""

    # --- built on the primitives --------------------------------------------------------
    async def get_or_compute(
        self, name: str, ttl_seconds: float, compute: Callable[[], Awaitable[bytes]]
    ) -> bytes:
        """Cached value, or compute it once: concurrent callers in this process share one call."""
        cached = await self.get(name)
        if cached is not None:
            return cached
        pending = self._inflight.get(name)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._inflight[name] = future
        try:
            value = await compute()
            await self.set(name, value, ttl_seconds)
            future.set_result(value)
            return value
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it, nobody else must
            raise
        finally:
            del self._inflight[name]

    async def rate_limit_remaining(self, limit: str, *identifiers: str) -> int:
        """How many hits `limit` still allows now, without spending one."""
        stats = await self._limiter.get_window_stats(_parse_limit(limit), *identifiers)
        return max(0, stats.remaining)

    async def hit_rate_limit(self, limit: str, *identifiers: str) -> RateLimitResult:
        """Count one hit against `limit` (e.g. "30/minute") for these identifiers.

        Every API request pays this, so an allowed hit is one round trip; only a refusal reads the
        window again, for its Retry-After."""
        item = _parse_limit(limit)
        if await self._limiter.hit(item, *identifiers):
            return RateLimitResult(True, item.amount, 0)
        stats = await self._limiter.get_window_stats(item, *identifiers)
        return RateLimitResult(False, item.amount, max(1, math.ceil(stats.reset_time - time.time())))
