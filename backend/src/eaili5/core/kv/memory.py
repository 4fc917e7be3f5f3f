"""In-process KV: the embedded default. Correct for exactly one process."""

from __future__ import annotations

import logging
import secrets
import time

from limits.aio.storage import MemoryStorage

from eaili5.core.kv.base import KV, Lock, MessageHandler

logger = logging.getLogger(__name__)


class _Entry:
    __slots__ = ("expires_at", "value")

    def __init__(self, value: bytes, expires_at: float | None) -> None:
        self.value = value
        self.expires_at = expires_at

    def alive(self, now: float) -> bool:
        return self.expires_at is None or self.expires_at > now


class MemoryKV(KV):
    backend = "memory"

    def __init__(self, prefix: str = "eaili5:") -> None:
        super().__init__(prefix, MemoryStorage())
        self._data: dict[str, _Entry] = {}
        self._writes = 0

    def _live(self, name: str) -> _Entry | None:
        entry = self._data.get(name)
        if entry is None:
            return None
        if not entry.alive(time.monotonic()):
            del self._data[name]
            return None
        return entry

    @staticmethod
    def _expiry(ttl_seconds: float | None) -> float | None:
        return None if ttl_seconds is None else time.monotonic() + ttl_seconds

    async def get(self, name: str) -> bytes | None:
        entry = self._live(name)
        return None if entry is None else entry.value

    async def get_many(self, *names: str) -> list[bytes | None]:
        return [None if (entry := self._live(name)) is None else entry.value for name in names]

    async def set(self, name: str, value: bytes, ttl_seconds: float | None = None) -> None:
        self._data[name] = _Entry(value, self._expiry(ttl_seconds))
        self._writes += 1
        if self._writes % 1024 == 0:
            self._sweep_expired()

    def _sweep_expired(self) -> None:
        # Expired entries are otherwise dropped only when read; sweep so memory stays bounded.
        now = time.monotonic()
        for name in [k for k, e in self._data.items() if not e.alive(now)]:
            del self._data[name]

    async def set_if_absent(self, name: str, value: bytes, ttl_seconds: float) -> bool:
        if self._live(name) is not None:
            return False
        self._data[name] = _Entry(value, self._expiry(ttl_seconds))
        return True

    async def take(self, name: str) -> bytes | None:
        entry = self._live(name)
        if entry is None:
            return None
        del self._data[name]
        return entry.value

    async def delete(self, name: str) -> None:
        self._data.pop(name, None)

    async def incr(self, name: str, amount: int = 1, ttl_seconds: float | None = None) -> int:
        entry = self._live(name)
        if entry is None:
            entry = self._data[name] = _Entry(b"0", self._expiry(ttl_seconds))
        value = int(entry.value) + amount
        entry.value = str(value).encode()
        return value

    async def scan(self, prefix: str) -> dict[str, bytes]:
        now = time.monotonic()
        return {k: e.value for k, e in list(self._data.items()) if k.startswith(prefix) and e.alive(now)}

    def lock(self, name: str, ttl_seconds: float) -> Lock:
        return _MemoryLock(self, name, ttl_seconds)

    async def publish(self, channel: str, message: bytes) -> None:
        await self._dispatch(channel, message)  # one process: deliver in place

    async def subscribe(self, channel: str, handler: MessageHandler) -> None:
        self._handlers[channel].append(handler)

    async def unsubscribe(self, channel: str, handler: MessageHandler) -> None:
        handlers = self._handlers.get(channel)
        if handlers and handler in handlers:
            handlers.remove(handler)
            if not handlers:
                del self._handlers[channel]

    async def ping(self) -> None:
        return None


class _MemoryLock(Lock):
    def __init__(self, kv: MemoryKV, name: str, ttl_seconds: float) -> None:
        self._kv, self._name, self._ttl = kv, f"lock:{name}", ttl_seconds
        self._token = secrets.token_bytes(16)

    async def acquire(self) -> bool:
        return await self._kv.set_if_absent(self._name, self._token, self._ttl)

    async def extend(self) -> bool:
        if await self._kv.get(self._name) != self._token:
            return False
        await self._kv.set(self._name, self._token, self._ttl)
        return True

    async def release(self) -> None:
        if await self._kv.get(self._name) == self._token:
            await self._kv.delete(self._name)
