"""Ticks reach WebSocket subscribers; one instance polls at a time and another takes over."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import httpx

from eaili5.core.kv import KV, create_kv
from eaili5.core.metrics import Metrics
from eaili5.core.settings import Settings
from eaili5.market.poller import MarketPoller
from eaili5.market.service import MarketService
from eaili5.market.snapshot import load_snapshot_tokens
from eaili5.market.sources import build_providers
from eaili5.realtime.hub import Hub
from tests.conftest import LiveServer
from tests.realtime.test_websocket import recv, signed_in

WETH = "0x4200000000000000000000000000000000000006"


async def test_prices_and_token_channels_stream_ticks(live_server: LiveServer) -> None:
    ws, _, _ = await signed_in(live_server)
    for channel in ("prices", f"token:{WETH.lower()}"):
        await ws.send(json.dumps({"type": "subscribe", "channel": channel}))
        assert (await recv(ws))["type"] == "subscribed"
    seen_prices = seen_token = False
    for _ in range(20):
        frame = await recv(ws, timeout=5)
        if frame["channel"] == "prices":
            ticks = frame["data"]["ticks"]
            assert ticks and all(tick["source"] == "simulated" for tick in ticks)
            assert len({tick["address"] for tick in ticks}) == len(ticks)  # at most one per token
            seen_prices = True
        else:
            tick, candle = frame["data"]["tick"], frame["data"]["candle"]
            assert tick["address"] == WETH and candle["tf"] == "1m"
            assert Decimal(candle["c"]) == Decimal(tick["price_usd"])  # the forming candle ends at the tick
            seen_token = True
        if seen_prices and seen_token:
            break
    assert seen_prices and seen_token
    await ws.close()


async def test_bad_token_channel_names(live_server: LiveServer) -> None:
    ws, _, _ = await signed_in(live_server)
    usdc = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
    await ws.send(json.dumps({"type": "subscribe", "id": 1, "channel": f"token:{usdc}"}))  # not lowercase
    assert (await recv(ws))["code"] == "bad_channel"
    await ws.close()


def _poller(settings: Settings, kv: KV, name: str) -> MarketPoller:
    tokens = load_snapshot_tokens()
    # The simulated market makes no HTTP calls; an unopened client costs nothing and needs no closing.
    service = MarketService(settings, kv, build_providers(settings, httpx.AsyncClient(), tokens), tokens)
    return MarketPoller(service, Hub(kv, settings, Metrics()), kv, 0.1, name, lease_seconds=0.5)


async def test_only_one_instance_polls_and_another_takes_over(settings: Settings) -> None:
    first_kv = create_kv(settings)
    # With Redis, "another instance" has its own client; in-process there is one KV per process.
    second_kv = create_kv(settings) if settings.redis_url else first_kv
    first, second = _poller(settings, first_kv, "first"), _poller(settings, second_kv, "second")
    try:
        assert await first._hold_lease()
        assert not await second._hold_lease()
        assert await first._hold_lease()  # the holder keeps extending
        # The holder dies without releasing: within one lease period the other takes over.
        await asyncio.sleep(0.7)
        assert await second._hold_lease()
        assert not await first._hold_lease()
        await second.poll_once()
        assert (await second.service.status()).poller_instance == "second"
    finally:
        await first_kv.close()
        if second_kv is not first_kv:
            await second_kv.close()
