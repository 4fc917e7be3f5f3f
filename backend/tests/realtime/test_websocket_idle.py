from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from eaili5.realtime import router
from tests.conftest import LiveServer
from tests.realtime.test_websocket import guest, recv, signed_in


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"ws_idle_timeout_seconds": 0.6}


async def test_quiet_sockets_are_closed_and_pings_keep_them_open(live_server: LiveServer) -> None:
    token, _ = await guest(live_server)
    async with connect(live_server.ws_url) as chatty, connect(live_server.ws_url) as quiet:
        for ws in (chatty, quiet):
            await ws.send(json.dumps({"type": "auth", "token": token}))
            assert (await recv(ws))["type"] == "ready"
        for _ in range(4):  # 1.2 s in all: longer than the idle timeout
            await asyncio.sleep(0.3)
            await chatty.send(json.dumps({"type": "ping"}))
            assert (await recv(chatty))["type"] == "pong"
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(quiet.recv(), 3)
        assert quiet.close_code == 1000


async def signed_in_witness(live_server: LiveServer) -> ClientConnection:
    """Another guest's socket on the `system` channel, which reads every frame it is sent."""
    ws, _, _ = await signed_in(live_server)
    await ws.send(json.dumps({"type": "subscribe", "id": "w", "channel": "system"}))
    assert (await recv(ws))["type"] == "subscribed"
    return ws


def _server_side(live_server: LiveServer, client_port: int) -> Any:
    """uvicorn's protocol object for our client's connection, while the server holds it."""
    for protocol in live_server.server.server_state.connections:
        if getattr(protocol, "client", None) == ("127.0.0.1", client_port):
            return protocol
    return None


async def test_a_dead_peer_is_cut_off_after_the_idle_timeout_even_with_frames_stuck(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A peer that vanished neither reads nor sends: once its buffers are full, not even our close frame can
    be written. The server must still drop it (hub and TCP connection) within the idle timeout plus the close
    grace, rather than hold the socket and its unsent frames until TCP gives up, minutes later."""
    monkeypatch.setattr(router, "CLOSE_GRACE_SECONDS", 0.5)
    token, user_id = await guest(live_server)
    # max_queue=1 and never calling recv(): the client stops reading from its socket, like a dead peer.
    ws = await connect(live_server.ws_url, max_queue=1, max_size=2**21, ping_interval=None)
    await ws.send(json.dumps({"type": "auth", "token": token}))
    assert (await recv(ws))["type"] == "ready"
    await ws.send(json.dumps({"type": "subscribe", "id": "s", "channel": "system"}))
    assert (await recv(ws))["type"] == "subscribed"
    server_side = _server_side(live_server, ws.local_address[1])
    assert server_side is not None
    hub = live_server.app.state.eaili5.hub

    # A second, reading subscriber paces the publishing: once it has a frame, the hub has handed the same frame
    # to the dead peer's socket. Publishing without waiting would queue tens of megabytes in Redis, past its
    # pub/sub output-buffer limit (32 MB by default), and Redis would drop the app's subscription.
    async with await signed_in_witness(live_server) as witness:
        blob = "x" * 300_000
        for _ in range(200):  # at most 60 MB; loopback buffers take a few
            if server_side.transport.get_write_buffer_size() > 0:
                break  # the kernel takes no more: frames now wait in the server's own buffer
            await ws.send(json.dumps({"type": "ping"}))  # alive until the buffers are full ...
            await hub.publish("system", {"blob": blob})
            assert (await recv(witness, timeout=10))["data"]["blob"] == blob
    assert server_side.transport.get_write_buffer_size() > 0, "could not fill the socket's buffers"
    # ... and from now on silent: the idle timeout (0.6 s) ends it, and the close frame cannot get out.
    deadline = asyncio.get_running_loop().time() + 0.6 + 0.5 + 5.0  # idle + grace + slack for a busy machine
    while _server_side(live_server, ws.local_address[1]) is not None or any(
        str(c.principal.user_id) == user_id for c in hub.connections.values()
    ):
        assert asyncio.get_running_loop().time() < deadline, "the dead peer is still held"
        await asyncio.sleep(0.05)
    ws.transport.abort()
