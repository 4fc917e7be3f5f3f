"""Hostile WebSocket clients: malformed and mistyped frames, unknown types, huge frames, floods,
other users' channels and a chat flood. Each gets an error frame or the documented close code,
and the server stays healthy for everyone else afterwards."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import LiveServer

pytestmark = [pytest.mark.fuzz, pytest.mark.timeout(120)]
MAX_FRAME = 8192


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "ws_max_frame_bytes": MAX_FRAME,
        "ws_rate_limit": "40/second",
        "tutor_rate_limit": "3/minute",
        "ws_auth_timeout_seconds": 1.0,
    }


async def guest(server: LiveServer) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        body = (await http.post("/api/session")).json()
    return body["token"], body["user"]["id"]


async def recv(ws: ClientConnection, timeout: float = 5.0) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), timeout))
    return frame


async def signed_in(server: LiveServer, token: str) -> ClientConnection:
    ws = await connect(server.ws_url, max_size=None)
    await ws.send(json.dumps({"type": "auth", "token": token}))
    assert (await recv(ws))["type"] == "ready"
    return ws


async def close_code(ws: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed) as info:
        while True:
            await asyncio.wait_for(ws.recv(), 5)
    return info.value.rcvd.code if info.value.rcvd else None


async def assert_healthy(server: LiveServer, token: str) -> None:
    """Probes answer and a well-behaved client still gets a pong."""
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        assert (await http.get("/healthz")).status_code == 200
        assert (await http.get("/readyz")).status_code == 200
    ws = await signed_in(server, token)
    await ws.send(json.dumps({"type": "ping", "id": "still-there"}))
    assert await recv(ws) == {"type": "pong", "id": "still-there"}
    await ws.close()


def hostile_frames(other_user: str) -> list[tuple[str | bytes, set[str]]]:
    """(frame as sent, acceptable error codes)."""
    some_id = str(uuid.uuid4())
    return [
        ("not json at all", {"bad_json"}),
        ('{"type": "ping"', {"bad_json"}),
        (b"\xff\xfe{\x00", {"bad_json"}),
        ('{"type": "\\ud800"}', {"bad_json", "unknown_type"}),
        ("[" * 2000 + "]" * 2000, {"bad_json", "bad_frame"}),  # deeper than orjson parses
        ("[]", {"bad_frame"}),
        ("42", {"bad_frame"}),
        ("null", {"bad_frame"}),
        ('"ping"', {"bad_frame"}),
        ("{}", {"bad_frame"}),
        ('{"type": 5}', {"bad_frame"}),
        ('{"type": ["ping"]}', {"bad_frame"}),
        ('{"type": "ping", "id": {"a": 1}}', {"bad_frame"}),
        (json.dumps({"type": "ping", "id": "x" * 65}), {"bad_frame"}),
        ('{"type": "nope"}', {"unknown_type"}),
        (json.dumps({"type": "<script>alert(1)</script>" * 50}), {"unknown_type"}),
        ('{"type": "subscribe"}', {"bad_frame"}),
        ('{"type": "subscribe", "channel": 123}', {"bad_frame"}),
        (json.dumps({"type": "subscribe", "channel": f"user:{other_user}"}), {"forbidden"}),
        (json.dumps({"type": "subscribe", "channel": f"portfolio:{other_user}"}), {"forbidden"}),
        (json.dumps({"type": "subscribe", "channel": "user:' OR '1'='1"}), {"bad_channel"}),
        (json.dumps({"type": "subscribe", "channel": "secret:thing"}), {"unknown_channel"}),
        (json.dumps({"type": "subscribe", "channel": "token:0xZZ"}), {"bad_channel"}),
        ('{"type": "auth", "token": "x"}', {"already_authenticated"}),
        ('{"type": "chat.send"}', {"bad_frame"}),
        ('{"type": "chat.send", "id": "c", "text": 123}', {"bad_frame"}),
        ('{"type": "chat.send", "id": "c", "text": "hi", "admin": true}', {"bad_frame"}),
        ('{"type": "chat.stop", "id": "s", "message_id": "not-a-uuid"}', {"bad_frame"}),
        (json.dumps({"type": "chat.resume", "id": "r", "message_id": some_id, "offset": -1}), {"bad_frame"}),
        (json.dumps({"type": "chat.resume", "id": "r", "message_id": some_id, "offset": "0"}), {"bad_frame"}),
    ]


async def test_hostile_frames_get_error_frames_and_the_socket_stays_open(live_server: LiveServer) -> None:
    token, _ = await guest(live_server)
    _, other_user = await guest(live_server)
    ws = await signed_in(live_server, token)
    for frame, codes in hostile_frames(other_user):
        await ws.send(frame)
        reply = await recv(ws)
        assert reply["type"] in ("error", "chat.error"), (frame[:80], reply)
        assert reply["code"] in codes, (frame[:80], reply)
        assert isinstance(reply["detail"], str) and reply["detail"], reply
        await asyncio.sleep(0.03)  # stay under the frame rate limit: this test is about content
    await ws.send(json.dumps({"type": "ping", "id": 1}))
    assert await recv(ws) == {"type": "pong", "id": 1}
    await ws.close()
    await assert_healthy(live_server, token)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
frame_types = st.sampled_from(
    ["ping", "subscribe", "unsubscribe", "chat.stop", "chat.resume", "auth"]
) | st.text(max_size=20)
random_frames = st.fixed_dictionaries(
    {"type": frame_types},
    optional={"id": json_values, "channel": json_values, "message_id": json_values, "offset": json_values},
)


async def test_random_frames_never_break_the_socket(live_server: LiveServer) -> None:
    """Generated frames (fixed seed): every one gets exactly one answer, never a dropped socket."""
    token, _ = await guest(live_server)
    ws = await signed_in(live_server, token)
    frames: list[str] = []

    @given(random_frames)
    @seed(20261126)
    @settings(max_examples=150, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    def collect(frame: dict[str, Any]) -> None:
        frames.append(json.dumps(frame))

    collect()
    for frame in frames:
        await ws.send(frame)
        reply = await recv(ws)
        assert reply["type"] in ("pong", "subscribed", "unsubscribed", "error", "chat.error"), (frame, reply)
        if reply["type"] in ("error", "chat.error"):
            assert reply["code"] != "internal", (frame, reply)
        await asyncio.sleep(0.03)
    await ws.close()
    await assert_healthy(live_server, token)


async def test_huge_frames_close_with_1009_before_and_after_auth(live_server: LiveServer) -> None:
    token, _ = await guest(live_server)
    anonymous = await connect(live_server.ws_url, max_size=None)
    await anonymous.send("x" * (MAX_FRAME + 1))
    assert await close_code(anonymous) == 1009
    ws = await signed_in(live_server, token)
    await ws.send(json.dumps({"type": "ping", "pad": "é" * MAX_FRAME}))
    assert await close_code(ws) == 1009
    await assert_healthy(live_server, token)


async def test_a_flood_is_warned_then_closed_with_1008(live_server: LiveServer) -> None:
    token, _ = await guest(live_server)
    ws = await signed_in(live_server, token)
    for n in range(400):
        try:
            await ws.send(json.dumps({"type": "ping", "id": n}))
        except ConnectionClosed:
            break
    codes: list[str] = []
    with pytest.raises(ConnectionClosed) as info:
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if frame["type"] == "error":
                codes.append(frame["code"])
    assert "rate_limited" in codes and set(codes) == {"rate_limited"}
    assert info.value.rcvd is not None and info.value.rcvd.code == 1008
    await assert_healthy(live_server, token)


async def test_unauthenticated_floods_and_bad_tokens_are_closed_with_4401(live_server: LiveServer) -> None:
    ws = await connect(live_server.ws_url)
    await ws.send(json.dumps({"type": "auth", "token": "' OR 1=1 --"}))
    assert (await recv(ws))["code"] == "unauthorized"
    assert await close_code(ws) == 4401
    ws = await connect(live_server.ws_url)
    await ws.send(json.dumps({"type": "auth", "token": "A" * 1000}))
    reply = await recv(ws)
    assert reply["code"] == "auth_required"
    assert await close_code(ws) == 4401  # the auth timeout ends it
    token, _ = await guest(live_server)
    await assert_healthy(live_server, token)


async def test_a_chat_flood_gets_rate_limited_error_frames(live_server: LiveServer) -> None:
    """Questions faster than the per-user tutor limit (3/minute here): refused with a frame each."""
    token, _ = await guest(live_server)
    ws = await signed_in(live_server, token)
    outcomes = [await _ask(ws, f"q{n}") for n in range(6)]
    assert outcomes[:3] == ["chat.done"] * 3 and outcomes[3:] == ["rate_limited"] * 3, outcomes
    await ws.close()
    await assert_healthy(live_server, token)


async def _ask(ws: ClientConnection, frame_id: str) -> str:
    """Send one question and wait for its end: `chat.done`, or the error code it got instead."""
    await ws.send(json.dumps({"type": "chat.send", "id": frame_id, "text": "What is a wallet?"}))
    while True:
        frame = await recv(ws, timeout=30)
        if frame.get("id") != frame_id:
            continue
        if frame["type"] == "chat.done":
            return "chat.done"
        if frame["type"] in ("chat.error", "error"):
            return str(frame["code"])
