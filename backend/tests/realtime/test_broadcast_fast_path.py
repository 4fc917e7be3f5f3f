"""Frames are written straight to each socket (broadcasts framed once); clients still get exact frames, in order."""

from __future__ import annotations

import asyncio
import json
import struct

from websockets.asyncio.client import connect

from eaili5.realtime.wire import text_frame
from tests.conftest import LiveServer
from tests.realtime.test_websocket import guest, recv, signed_in


def test_text_frame_headers_follow_rfc_6455() -> None:
    assert text_frame(b"hi") == b"\x81\x02hi"
    medium = b"x" * 300
    assert text_frame(medium) == b"\x81\x7e" + struct.pack("!H", 300) + medium
    large = b"y" * 70_000
    assert text_frame(large) == b"\x81\x7f" + struct.pack("!Q", 70_000) + large


async def test_broadcasts_of_every_size_arrive_intact_through_the_fast_path(live_server: LiveServer) -> None:
    ws, _, _ = await signed_in(live_server)
    await ws.send(json.dumps({"type": "subscribe", "id": "s", "channel": "system"}))
    assert (await recv(ws))["type"] == "subscribed"
    state = live_server.app.state.eaili5
    before = state.metrics.ws_broadcast_fast._value.get()
    for size in (10, 1_000, 100_000):  # 7-bit, 16-bit and 64-bit payload lengths
        await state.hub.publish("system", {"notice": "é" * size})
        frame = await recv(ws)
        assert frame["data"] == {"notice": "é" * size}  # UTF-8 multi-byte text survives the raw write
    assert state.metrics.ws_broadcast_fast._value.get() - before == 3
    await ws.close()


async def test_replies_go_straight_to_the_wire_without_a_writer_task(live_server: LiveServer) -> None:
    ws, _, user_id = await signed_in(live_server)
    hub = live_server.app.state.eaili5.hub
    [connection] = [c for c in hub.connections.values() if str(c.principal.user_id) == user_id]
    for i in range(5):
        await ws.send(json.dumps({"type": "ping", "id": f"p{i}"}))
        assert await recv(ws) == {"type": "pong", "id": f"p{i}"}
    await ws.send(json.dumps({"type": "subscribe", "id": "s", "channel": "system"}))
    assert (await recv(ws))["type"] == "subscribed"
    assert not connection.writer_started  # ready, pongs and subscribed all went out directly
    await ws.close()


async def test_a_slow_reader_gets_every_frame_once_and_in_order(live_server: LiveServer) -> None:
    """Direct frames and broadcasts interleave while the peer is not reading: once the socket's buffers are
    full, frames wait in its backlog, and nothing overtakes, repeats or goes missing."""
    token, user_id = await guest(live_server)
    # max_queue=1: the client stops reading from the socket while we do not call recv(), so buffers fill up.
    ws = await connect(live_server.ws_url, max_queue=1, max_size=2**21)
    await ws.send(json.dumps({"type": "auth", "token": token}))
    assert (await recv(ws))["type"] == "ready"
    await ws.send(json.dumps({"type": "subscribe", "id": "s", "channel": "system"}))
    assert (await recv(ws))["type"] == "subscribed"
    hub = live_server.app.state.eaili5.hub
    [connection] = [c for c in hub.connections.values() if str(c.principal.user_id) == user_id]

    blob = "x" * 300_000

    async def send(seq: int) -> None:
        if seq % 2:
            await hub.publish("system", {"seq": seq, "blob": blob})
        else:
            connection.send_frame({"type": "direct", "seq": seq, "blob": blob})

    async def receive(count: int) -> list[int]:
        seqs = []
        for _ in range(count):
            frame = await recv(ws, timeout=15)
            seqs.append(frame["seq"] if frame["type"] == "direct" else frame["data"]["seq"])
        return seqs

    for seq in range(40):  # about 12 MB: more than the loopback socket buffers hold
        await send(seq)
    assert connection.writer_started  # the backlog was used

    async def send_while_draining() -> None:
        for seq in range(40, 60):
            await send(seq)
            await asyncio.sleep(0.01)

    sender = asyncio.create_task(send_while_draining())
    received = await receive(60)
    await sender
    # Each path keeps its order; a broadcast goes through the KV pub/sub (Redis in production), so it may
    # arrive later than a direct frame sent after it, never out of order with other broadcasts.
    assert sorted(received) == list(range(60))  # every frame exactly once
    assert [s for s in received if s % 2 == 0] == list(range(0, 60, 2))
    assert [s for s in received if s % 2] == list(range(1, 60, 2))
    await ws.close()
