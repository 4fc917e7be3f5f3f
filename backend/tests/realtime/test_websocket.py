"""The /ws protocol against a real uvicorn server on loopback."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import LiveServer, auth


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "ws_auth_timeout_seconds": 0.5,
        "ws_max_frame_bytes": 4096,
        "ws_rate_limit": "20/second",
    }


async def guest(server: LiveServer) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        body = (await http.post("/api/session")).json()
    return body["token"], body["user"]["id"]


async def recv(ws: ClientConnection, timeout: float = 3.0) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), timeout))
    return frame


async def signed_in(server: LiveServer) -> tuple[ClientConnection, str, str]:
    token, user_id = await guest(server)
    ws = await connect(server.ws_url)
    await ws.send(json.dumps({"type": "auth", "token": token}))
    ready = await recv(ws)
    assert ready["type"] == "ready" and ready["user_id"] == user_id
    return ws, token, user_id


async def closed_with(ws: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed) as info:
        while True:
            await asyncio.wait_for(ws.recv(), 3)
    return info.value.rcvd.code if info.value.rcvd else None


async def test_auth_then_ping(live_server: LiveServer) -> None:
    ws, _, _ = await signed_in(live_server)
    await ws.send(json.dumps({"type": "ping", "id": "p1"}))
    assert await recv(ws) == {"type": "pong", "id": "p1"}
    await ws.close()


async def test_unauthenticated_socket_is_closed_with_4401(live_server: LiveServer) -> None:
    async with connect(live_server.ws_url) as ws:
        assert await closed_with(ws) == 4401


async def test_frames_before_auth_get_an_error_then_timeout(live_server: LiveServer) -> None:
    async with connect(live_server.ws_url) as ws:
        await ws.send(json.dumps({"type": "ping"}))
        assert (await recv(ws))["code"] == "auth_required"
        assert await closed_with(ws) == 4401


async def test_bad_token_is_refused_with_4401(live_server: LiveServer) -> None:
    async with connect(live_server.ws_url) as ws:
        await ws.send(json.dumps({"type": "auth", "token": "forged"}))
        error = await recv(ws)
        assert error["type"] == "error" and error["code"] == "unauthorized"
        assert await closed_with(ws) == 4401


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json at all", "bad_json"),
        ("[1, 2, 3]", "bad_frame"),
        ('{"no_type": true}', "bad_frame"),
        ('{"type": 42}', "bad_frame"),
        ('{"type": "launch_rockets", "id": "x"}', "unknown_type"),
        ('{"type": "ping", "id": {"nested": 1}}', "bad_frame"),
        ('{"type": "subscribe", "id": 7}', "bad_frame"),
        ('{"type": "subscribe", "channel": "NOT A CHANNEL"}', "bad_channel"),
        ('{"type": "subscribe", "channel": "prices-of-everything"}', "unknown_channel"),
        ('{"type": "auth", "token": "again"}', "already_authenticated"),
    ],
)
async def test_garbage_frames_get_errors_and_the_socket_stays_open(
    live_server: LiveServer, frame: str, code: str
) -> None:
    ws, _, _ = await signed_in(live_server)
    await ws.send(frame)
    error = await recv(ws)
    assert error["type"] == "error" and error["code"] == code
    assert error["detail"]
    await ws.send(json.dumps({"type": "ping", "id": "still-here"}))
    assert await recv(ws) == {"type": "pong", "id": "still-here"}
    await ws.close()


async def test_oversized_frame_closes_with_1009(live_server: LiveServer) -> None:
    ws, _, _ = await signed_in(live_server)
    await ws.send(json.dumps({"type": "ping", "pad": "x" * 10_000}))
    assert await closed_with(ws) == 1009


async def test_binary_frames_are_read_as_utf8(live_server: LiveServer) -> None:
    ws, _, _ = await signed_in(live_server)
    await ws.send(b'{"type": "ping", "id": "bin"}')
    assert await recv(ws) == {"type": "pong", "id": "bin"}
    await ws.send(b"\xff\xfe")
    assert (await recv(ws))["code"] == "bad_json"
    await ws.close()


async def test_message_flood_is_rate_limited(live_server: LiveServer) -> None:
    ws, _, _ = await signed_in(live_server)
    for i in range(30):
        await ws.send(json.dumps({"type": "ping", "id": i}))
    frames = [await recv(ws) for _ in range(30)]
    assert sum(f["type"] == "pong" for f in frames) == 20
    assert sum(f.get("code") == "rate_limited" for f in frames) == 10
    await ws.close()


async def test_subscribe_to_own_channel_and_receive_published_messages(
    live_server: LiveServer,
) -> None:
    ws, _, user_id = await signed_in(live_server)
    await ws.send(json.dumps({"type": "subscribe", "id": "s", "channel": f"user:{user_id}"}))
    assert await recv(ws) == {"type": "subscribed", "id": "s", "channel": f"user:{user_id}"}
    await ws.send(json.dumps({"type": "subscribe", "id": "t", "channel": "system"}))
    assert (await recv(ws))["type"] == "subscribed"

    hub = live_server.app.state.eaili5.hub
    await hub.publish(f"user:{user_id}", {"hello": "you"})
    assert await recv(ws) == {
        "type": "message",
        "channel": f"user:{user_id}",
        "data": {"hello": "you"},
    }
    await hub.publish("system", {"notice": "all"})
    assert (await recv(ws))["data"] == {"notice": "all"}

    await ws.send(json.dumps({"type": "unsubscribe", "id": "u", "channel": "system"}))
    assert (await recv(ws))["type"] == "unsubscribed"
    await hub.publish("system", {"notice": "missed"})
    await ws.send(json.dumps({"type": "ping", "id": "after"}))
    assert await recv(ws) == {"type": "pong", "id": "after"}  # no system message arrived first
    await ws.close()


async def test_cannot_subscribe_to_someone_elses_channel(live_server: LiveServer) -> None:
    ws, _, _ = await signed_in(live_server)
    _, other_user = await guest(live_server)
    await ws.send(json.dumps({"type": "subscribe", "id": 1, "channel": f"user:{other_user}"}))
    error = await recv(ws)
    assert error == {
        "type": "error",
        "id": 1,
        "code": "forbidden",
        "detail": "You can only subscribe to your own private channels.",
    }
    await ws.close()


async def test_ending_the_session_closes_its_sockets(live_server: LiveServer) -> None:
    ws, token, _ = await signed_in(live_server)
    async with httpx.AsyncClient(base_url=live_server.http_url) as http:
        assert (await http.delete("/api/session", headers=auth(token))).status_code == 204
    assert (await recv(ws))["type"] == "session_ended"
    assert await closed_with(ws) == 4401


async def test_connection_counts(live_server: LiveServer) -> None:
    sockets = [(await signed_in(live_server))[0] for _ in range(3)]
    async with httpx.AsyncClient(base_url=live_server.http_url) as http:
        counts = (await http.get("/api/realtime/connections")).json()
        assert counts["instance"] == 3 and counts["total"] >= 3
        metrics = (await http.get("/metrics")).text
    assert "ws_connections_active 3.0" in metrics
    for ws in sockets:
        await ws.close()
    await asyncio.sleep(0.2)
    assert len(live_server.app.state.eaili5.hub.connections) == 0
