"""The KV contract, run against the in-process and the Redis implementation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from eaili5.core.kv import KV, create_kv
from eaili5.core.settings import Settings


@pytest.fixture
async def kv(settings: Settings) -> AsyncIterator[KV]:
    store = create_kv(settings)
    await store.start()
    yield store
    await store.close()


async def test_set_get_delete(kv: KV) -> None:
    assert await kv.get("k") is None
    await kv.set("k", b"v")
    assert await kv.get("k") == b"v"
    await kv.delete("k")
    assert await kv.get("k") is None


async def test_values_expire(kv: KV) -> None:
    await kv.set("short", b"v", ttl_seconds=0.15)
    assert await kv.get("short") == b"v"
    await asyncio.sleep(0.3)
    assert await kv.get("short") is None


async def test_set_if_absent_and_take_are_single_use(kv: KV) -> None:
    assert await kv.set_if_absent("nonce", b"1", 60)
    assert not await kv.set_if_absent("nonce", b"2", 60)
    assert await kv.take("nonce") == b"1"
    assert await kv.take("nonce") is None


async def test_counters(kv: KV) -> None:
    assert await kv.incr("c") == 1
    assert await kv.incr("c", 5) == 6
    assert await kv.incr("ttl", ttl_seconds=0.15) == 1
    await asyncio.sleep(0.3)
    assert await kv.incr("ttl", ttl_seconds=0.15) == 1


async def test_scan_by_prefix(kv: KV) -> None:
    await kv.set("ws:instance:a", b"3", 60)
    await kv.set("ws:instance:b", b"4", 60)
    await kv.set("other", b"x", 60)
    assert await kv.scan("ws:instance:") == {"ws:instance:a": b"3", "ws:instance:b": b"4"}


async def test_lock_is_exclusive_and_expires(kv: KV) -> None:
    first = kv.lock("poller", ttl_seconds=0.3)
    second = kv.lock("poller", ttl_seconds=0.3)
    assert await first.acquire()
    assert not await second.acquire()
    assert await first.extend()
    await second.release()  # not the holder: must not free the lock
    assert not await second.acquire()
    await asyncio.sleep(0.45)  # the holder "died": the lease runs out and another takes over
    assert await second.acquire()
    assert not await first.extend()
    await second.release()
    assert await first.acquire()


async def test_get_or_compute_runs_once_for_concurrent_callers(kv: KV) -> None:
    calls = 0

    async def compute() -> bytes:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        return b"value"

    results = await asyncio.gather(*(kv.get_or_compute("expensive", 60, compute) for _ in range(10)))
    assert results == [b"value"] * 10
    assert calls == 1
    assert await kv.get_or_compute("expensive", 60, compute) == b"value"
    assert calls == 1


async def test_get_or_compute_failure_is_not_cached(kv: KV) -> None:
    async def broken() -> bytes:
        raise RuntimeError("vendor down")

    with pytest.raises(RuntimeError):
        await kv.get_or_compute("flaky", 60, broken)

    async def working() -> bytes:
        return b"ok"

    assert await kv.get_or_compute("flaky", 60, working) == b"ok"


async def test_rate_limit(kv: KV) -> None:
    results = [await kv.hit_rate_limit("3/minute", "test", "1.2.3.4") for _ in range(4)]
    assert [r.allowed for r in results] == [True, True, True, False]
    assert results[-1].retry_after_seconds >= 1
    assert (await kv.hit_rate_limit("3/minute", "test", "5.6.7.8")).allowed


async def test_pubsub_delivers_to_subscribers(kv: KV, settings: Settings) -> None:
    # A second KV object stands for another instance (same Redis, or same process in memory mode).
    other = kv if kv.backend == "memory" else create_kv(settings)
    await other.start()
    received: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()

    async def handler(channel: str, message: bytes) -> None:
        await received.put((channel, message))

    await other.subscribe("news", handler)
    await asyncio.sleep(0.1)  # let the subscription reach Redis
    await kv.publish("news", b"hello")
    assert await asyncio.wait_for(received.get(), 3) == ("news", b"hello")

    await other.unsubscribe("news", handler)
    await asyncio.sleep(0.1)
    await kv.publish("news", b"again")
    await asyncio.sleep(0.2)
    assert received.empty()
    if other is not kv:
        await other.close()


async def test_ping(kv: KV) -> None:
    await kv.ping()
