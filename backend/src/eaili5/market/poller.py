"""The price poller: one instance at a time refreshes prices and publishes ticks to every client.

Every instance runs the loop, but only the holder of the `market-poller` lease polls; the lease
lasts three polling periods, so if the holder dies another instance takes over within one lease.
Ticks go out through the hub (KV pub/sub), so subscribers on every instance receive them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from eaili5.core.kv import KV, Lock
from eaili5.core.tasks import stop_task
from eaili5.market.schemas import Candle, PriceTick, Timeframe
from eaili5.market.service import MarketService
from eaili5.realtime.hub import Hub

logger = logging.getLogger(__name__)

PRICES_CHANNEL = "prices"
POLLER_KEY = "market:poller"  # which instance polls now (for status and operators)
TRENDING_EVERY_SECONDS = 60.0  # the list's ranking changes slowly; prices are what must be fresh
LEASE_PERIODS = 3
MIN_LEASE_SECONDS = 5.0


def token_channel(address: str) -> str:
    return f"token:{address.lower()}"


# The list needs little per tick, and the `prices` frame goes to every subscriber each round:
# keep it small. The token channel carries the fuller tick.
LIST_TICK_FIELDS = {"address", "price_usd", "change_1h_pct", "change_24h_pct", "as_of", "source", "stale"}
TOKEN_TICK_FIELDS = LIST_TICK_FIELDS | {"volume_24h_usd", "liquidity_usd", "transactions_24h"}


def tick_frame(tick: PriceTick, fields: set[str] = TOKEN_TICK_FIELDS) -> dict[str, Any]:
    return tick.model_dump(mode="json", include=fields)


class MarketPoller:
    def __init__(
        self,
        service: MarketService,
        hub: Hub,
        kv: KV,
        interval_seconds: float,
        instance_id: str,
        lease_seconds: float | None = None,
        on_tick: Callable[[dict[str, PriceTick]], Awaitable[None]] | None = None,
    ) -> None:
        self.service, self.hub, self.kv, self.interval = service, hub, kv, interval_seconds
        self.instance_id = instance_id
        self.lease_seconds = lease_seconds or max(MIN_LEASE_SECONDS, LEASE_PERIODS * interval_seconds)
        self._lease: Lock = kv.lock("market-poller", self.lease_seconds)
        self.holding = False
        self._last_published: dict[str, tuple[object, ...]] = {}
        self._forming: dict[str, Candle] = {}
        self._trending_at = float("-inf")
        # Runs after each round on the lease holder only (e.g. filling limit orders at the tick price),
        # as its own task: a slow round (say, waiting for a database connection) never delays prices;
        # while one round is still running the next is skipped.
        self.on_tick = on_tick
        self.hook_task: asyncio.Task[None] | None = None

    async def run(self, stopping: asyncio.Event) -> None:
        try:
            while not stopping.is_set():
                try:
                    if await self._hold_lease():
                        await self.poll_once()
                except Exception:
                    logger.warning("market poll failed; will retry", exc_info=True)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), self.interval)
        finally:
            if self.hook_task is not None:
                await stop_task(self.hook_task)
            if self.holding:  # hand over at once instead of making the others wait out the lease
                with contextlib.suppress(Exception):
                    await self._lease.release()

    async def _hold_lease(self) -> bool:
        if self.holding:
            self.holding = await self._lease.extend()
        if not self.holding:
            self.holding = await self._lease.acquire()
            if self.holding:
                logger.info("this instance now polls market prices")
        return self.holding

    async def poll_once(self) -> None:
        await self.kv.set(POLLER_KEY, self.instance_id.encode(), self.lease_seconds)
        if time.monotonic() - self._trending_at >= TRENDING_EVERY_SECONDS:
            self._trending_at = time.monotonic()
            await self.service.refresh_trending()
        board = await self.service.refresh_prices()
        changed = [tick for tick in board.values() if self._changed(tick)]
        if changed:
            # published_at (unix ms) lets clients and benchmarks measure delivery latency.
            ticks = [tick_frame(tick, LIST_TICK_FIELDS) for tick in changed]
            batch = {"ticks": ticks, "published_at": time.time() * 1000}
            await self.hub.publish(PRICES_CHANNEL, batch)
        for tick in changed:
            candle = await self._forming_candle(tick)
            data: dict[str, Any] = {"tick": tick_frame(tick)}
            if candle is not None:
                data["candle"] = {"tf": Timeframe.M1.value, **candle.model_dump(mode="json")}
            await self.hub.publish(token_channel(tick.address), data)
        if self.on_tick is not None and (self.hook_task is None or self.hook_task.done()):
            self.hook_task = asyncio.create_task(self._run_hook(self.on_tick, board), name="tick-hook")

    async def _run_hook(
        self, hook: Callable[[dict[str, PriceTick]], Awaitable[None]], board: dict[str, PriceTick]
    ) -> None:
        try:
            await hook(board)
        except Exception:  # never let a consumer stop the prices
            logger.warning("tick hook failed", exc_info=True)

    def _changed(self, tick: PriceTick) -> bool:
        fingerprint = (tick.price_usd, tick.change_24h_pct, tick.stale)
        if self._last_published.get(tick.address) == fingerprint:
            return False
        self._last_published[tick.address] = fingerprint
        return True

    async def _forming_candle(self, tick: PriceTick) -> Candle | None:
        """The 1-minute candle in progress: exact from the simulated path, built from ticks otherwise."""
        if self.service.is_simulated:
            candles = await self.service.primary.get_candles(tick.address, Timeframe.M1, 1)
            return candles[-1] if candles else None
        return self._update_from_tick(tick)

    def _update_from_tick(self, tick: PriceTick) -> Candle:
        opened = int(tick.as_of.timestamp()) // 60 * 60
        price = tick.price_usd
        current = self._forming.get(tick.address)
        if current is None or current.t != opened:
            current = Candle(t=opened, o=price, h=price, l=price, c=price, v=0)
        else:
            current = current.model_copy(
                update={"h": max(current.h, price), "l": min(current.l, price), "c": price}
            )
        self._forming[tick.address] = current
        return current
