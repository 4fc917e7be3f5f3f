"""Broadcasts are framed once and written straight to each socket; clients still get exact frames."""

from __future__ import annotations

import json
import struct

from eaili5.realtime.wire import text_frame
from tests.conftest import LiveServer
from tests.realtime.test_websocket import recv, signed_in


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


async def test_a_broadcast_never_overtakes_a_frame_already_queued(live_server: LiveServer) -> None:
    ws, _, user_id = await signed_in(live_server)
    await ws.send(json.dumps({"type": "subscribe", "id": "s", "channel": "system"}))
    assert (await recv(ws))["type"] == "subscribed"
    hub = live_server.app.state.eaili5.hub
    [connection] = [c for c in hub.connections.values() if str(c.principal.user_id) == user_id]
    connection.send_frame({"type": "queued-first"})  # sits in the queue until its writer runs
    await hub.publish("system", {"notice": "second"})
    assert (await recv(ws))["type"] == "queued-first"
    assert (await recv(ws))["data"] == {"notice": "second"}
    await ws.close()
