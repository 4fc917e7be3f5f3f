"""Redis KV: shared by every instance of a deployment (Memorystore Redis 7 in production)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Sequence

import redis.asyncio as aioredis
from limits.aio.storage import RedisStorage
from redis.exceptions import RedisError

from eaili5.core.kv.base import KV, Lock, MessageHandler
from eaili5.core.tasks import stop_task

logger = logging.getLogger(__name__)

# Compare-and-delete / compare-and-expire: only the holder's token may release or extend a lock.
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
_EXTEND = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
)
_INCR_WITH_TTL = (
    "local v = redis.call('incrby', KEYS[1], ARGV[1]) "
    "if v == tonumber(ARGV[1]) and tonumber(ARGV[2]) > 0 then redis.call('pexpire', KEYS[1], ARGV[2]) end "
    "return v"
)

# Values set (with one TTL) before any message is published: KEYS are the names, ARGV the TTL (ms), the
# channel, the number of values, the values, then the messages.
_SET_AND_PUBLISH = (
    "local n = tonumber(ARGV[3]) "
    "for i = 1, n do redis.call('set', KEYS[i], ARGV[3 + i], 'px', ARGV[1]) end "
    "for i = 4 + n, #ARGV do redis.call('publish', ARGV[2], ARGV[i]) end "
    "return n"
)


def _as_bytes(value: bytes | str | None) -> bytes | None:
    # We never set decode_responses, so values arrive as bytes; the client's types allow str too.
    return value.encode() if isinstance(value, str) else value


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


class RedisKV(KV):
    backend = "redis"

    def __init__(self, url: str, prefix: str = "eaili5:", max_connections: int = 64) -> None:
        limits_url = "async+" + url if not url.startswith("async+") else url
        super().__init__(
            prefix,
            RedisStorage(limits_url, implementation="redispy", key_prefix=f"{prefix}limits"),
        )
        # A blocking pool makes bursts (thousands of sockets authenticating at once) wait for a free
        # connection instead of failing with "Too many connections".
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=5,
            socket_connect_timeout=3,
            socket_timeout=5,
            health_check_interval=15,
        )
        self.client: aioredis.Redis = aioredis.Redis(connection_pool=pool)
        self._pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        self._reader: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        self._resubscribe_needed = False
        self._closing = False

    async def get(self, name: str) -> bytes | None:
        value = await self.client.get(self.key(name))
        return _as_bytes(value)

    async def get_many(self, *names: str) -> list[bytes | None]:
        values = await self.client.mget([self.key(name) for name in names])
        return [_as_bytes(value) for value in values]

    async def set(self, name: str, value: bytes, ttl_seconds: float | None = None) -> None:
        await self.client.set(self.key(name), value, px=None if ttl_seconds is None else _ms(ttl_seconds))

    async def set_if_absent(self, name: str, value: bytes, ttl_seconds: float) -> bool:
        return bool(await self.client.set(self.key(name), value, px=_ms(ttl_seconds), nx=True))

    async def take(self, name: str) -> bytes | None:
        value = await self.client.getdel(self.key(name))
        return _as_bytes(value)

    async def delete(self, name: str) -> None:
        await self.client.delete(self.key(name))

    async def incr(self, name: str, amount: int = 1, ttl_seconds: float | None = None) -> int:
        ttl_ms = 0 if ttl_seconds is None else _ms(ttl_seconds)
        result = await self.client.eval(_INCR_WITH_TTL, 1, self.key(name), amount, ttl_ms)
        return int(result)

    async def scan(self, prefix: str) -> dict[str, bytes]:
        keys = [key async for key in self.client.scan_iter(match=self.key(prefix) + "*", count=500)]
        if not keys:
            return {}
        values = await self.client.mget(keys)
        strip = len(self.prefix)
        return {
            k.decode()[strip:]: _as_bytes(v) or b""
            for k, v in zip(keys, values, strict=True)
            if v is not None
        }

    def lock(self, name: str, ttl_seconds: float) -> Lock:
        return _RedisLock(self.client, self.key(f"lock:{name}"), ttl_seconds)

    # --- pub/sub: one connection per instance, fanned out to local handlers ------------------
    async def publish(self, channel: str, message: bytes) -> None:
        await self.client.publish(self.key(f"ch:{channel}"), message)

    async def set_and_publish(
        self, items: Sequence[tuple[str, bytes]], ttl_seconds: float, channel: str, messages: Sequence[bytes]
    ) -> None:
        # One script, one round trip: a streamed reply's frames are written in a few batches, not
        # two commands each (tutor/resume.py).
        if not items and not messages:
            return
        keys = [self.key(name) for name, _ in items]
        values = [value for _, value in items]
        await self.client.eval(
            _SET_AND_PUBLISH,
            len(keys),
            *keys,
            _ms(ttl_seconds),
            self.key(f"ch:{channel}"),
            len(values),
            *values,
            *messages,
        )

    async def subscribe(self, channel: str, handler: MessageHandler) -> None:
        first = not self._handlers[channel]
        self._handlers[channel].append(handler)
        if first:
            await self._subscribe_or_defer(self.key(f"ch:{channel}"))

    async def _subscribe_or_defer(self, key: str) -> None:
        # While Redis is unreachable we keep the wish; the reader subscribes once it is back.
        try:
            await self._pubsub.subscribe(key)
        except (RedisError, OSError) as exc:
            logger.warning("pub/sub subscribe deferred (%s)", exc)
            self._resubscribe_needed = True
        self._subscribed.set()

    async def unsubscribe(self, channel: str, handler: MessageHandler) -> None:
        handlers = self._handlers.get(channel)
        if not handlers or handler not in handlers:
            return
        handlers.remove(handler)
        if not handlers:
            del self._handlers[channel]
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.unsubscribe(self.key(f"ch:{channel}"))

    async def start(self) -> None:
        self._reader = asyncio.create_task(self._read_forever(), name="redis-pubsub-reader")

    async def _read_forever(self) -> None:
        prefix_len = len(self.key("ch:"))
        while not self._closing:
            if not self._subscribed.is_set():
                await asyncio.sleep(0.1)
                continue
            try:
                if self._resubscribe_needed:
                    await self._resubscribe_all()
                message = await self._pubsub.get_message(timeout=1.0)
            except (RedisError, OSError, RuntimeError) as exc:
                logger.warning("pub/sub connection lost, retrying: %s", exc)
                self._resubscribe_needed = True
                await asyncio.sleep(1.0)
                continue
            if message is None or message.get("type") != "message":
                continue
            channel = message["channel"].decode()[prefix_len:]
            await self._dispatch(channel, message["data"])

    async def _resubscribe_all(self) -> None:
        keys = [self.key(f"ch:{channel}") for channel in self._handlers]
        if keys:
            await self._pubsub.subscribe(*keys)
        self._resubscribe_needed = False

    async def ping(self) -> None:
        await self.client.ping()

    async def close(self) -> None:
        self._closing = True  # the reader notices within one get_message timeout
        if self._reader is not None:
            await stop_task(self._reader)
        with contextlib.suppress(RedisError, OSError):
            await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        await self.client.aclose()


class _RedisLock(Lock):
    def __init__(self, client: aioredis.Redis, key: str, ttl_seconds: float) -> None:
        self._client, self._key, self._ttl_ms = client, key, _ms(ttl_seconds)
        self._token = secrets.token_hex(16)

    async def acquire(self) -> bool:
        return bool(await self._client.set(self._key, self._token, px=self._ttl_ms, nx=True))

    async def extend(self) -> bool:
        return bool(await self._client.eval(_EXTEND, 1, self._key, self._token, self._ttl_ms))

    async def release(self) -> None:
        await self._client.eval(_RELEASE, 1, self._key, self._token)
