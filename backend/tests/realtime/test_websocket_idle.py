from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import LiveServer
from tests.realtime.test_websocket import guest, recv


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
