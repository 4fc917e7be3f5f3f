"""`chat.resume`: a client that reconnects mid-reply gets the rest, from this or another instance."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from eaili5.core.settings import Settings
from tests.conftest import LiveServer, auth
from tests.realtime.test_two_instances import _free_port
from tests.tutor.chat_support import frames_until_end, model_settings, recv, text_of, ws_auth
from tests.tutor.loopback_llm import LoopbackLLM, Pause, Script, text, usage


@pytest.fixture
def settings_overrides(llm: LoopbackLLM) -> dict[str, Any]:
    return model_settings(llm)


def slow_answer(pieces: int, pause: float) -> Script:
    steps: list[Any] = list(text("Part 0 is here. ", finish=False))
    for n in range(1, pieces):
        steps += [Pause(pause), *text(f"Part {n} is here. ", finish=False)[1:]]
    return Script([*steps, *text(finish=True)[1:], usage()])


async def start_reply(ws_url: str, token: str, frames_before_leaving: int) -> list[dict[str, Any]]:
    """Ask, read a few frames, then drop the connection mid-reply."""
    async with connect(ws_url) as ws:
        await ws_auth(ws, token)
        await ws.send(json.dumps({"type": "chat.send", "id": "ask", "text": "tell me about layer 2s"}))
        seen = []
        while len(seen) < frames_before_leaving:
            frame = await recv(ws)
            assert frame["type"] not in ("chat.done", "chat.error"), "the reply ended before we left"
            seen.append(frame)
    return seen


async def resume(ws_url: str, token: str, message_id: str, offset: int) -> list[dict[str, Any]]:
    async with connect(ws_url) as ws:
        await ws_auth(ws, token)
        await ws.send(
            json.dumps({"type": "chat.resume", "id": "again", "message_id": message_id, "offset": offset})
        )
        return await frames_until_end(ws, "again", timeout=20)


async def new_token(http_url: str) -> str:
    async with httpx.AsyncClient(base_url=http_url) as http:
        token: str = (await http.post("/api/session")).json()["token"]
        return token


async def test_reconnect_mid_reply_gets_the_rest(live_server: LiveServer, llm: LoopbackLLM) -> None:
    llm.enqueue(slow_answer(pieces=30, pause=0.03))
    token = await new_token(live_server.http_url)
    before = await start_reply(live_server.ws_url, token, frames_before_leaving=4)
    message_id = before[0]["message_id"]
    rest = await resume(live_server.ws_url, token, message_id, offset=len(before))

    assert [f["offset"] for f in before + rest] == list(range(len(before) + len(rest)))
    assert {f["id"] for f in rest} == {"again"} and {f["message_id"] for f in rest} == {message_id}
    assert text_of(before + rest) == "".join(f"Part {n} is here. " for n in range(30))
    assert rest[-1]["type"] == "chat.done" and rest[-1]["status"] == "complete"
    async with httpx.AsyncClient(base_url=live_server.http_url) as http:
        saved = (
            await http.get(f"/api/conversations/{rest[-1]['conversation_id']}", headers=auth(token))
        ).json()
    assert saved["messages"][1]["text"] == text_of(before + rest)  # leaving did not stop the reply


async def test_resume_after_the_end_replays_from_the_buffer(
    live_server: LiveServer, llm: LoopbackLLM
) -> None:
    llm.enqueue(Script([*text("Short ", "answer."), usage()]))
    token = await new_token(live_server.http_url)
    async with connect(live_server.ws_url) as ws:
        await ws_auth(ws, token)
        await ws.send(json.dumps({"type": "chat.send", "id": "ask", "text": "hi"}))
        original = await frames_until_end(ws, "ask")
    replay = await resume(live_server.ws_url, token, original[0]["message_id"], offset=0)
    strip = [{k: v for k, v in f.items() if k != "id"} for f in original]
    assert [{k: v for k, v in f.items() if k != "id"} for f in replay] == strip
    tail = await resume(live_server.ws_url, token, original[0]["message_id"], offset=len(original) - 1)
    assert [f["type"] for f in tail] == ["chat.done"]


async def test_someone_elses_or_unknown_reply_cannot_be_resumed(
    live_server: LiveServer, llm: LoopbackLLM
) -> None:
    owner = await new_token(live_server.http_url)
    intruder = await new_token(live_server.http_url)
    async with connect(live_server.ws_url) as ws:
        await ws_auth(ws, owner)
        await ws.send(json.dumps({"type": "chat.send", "id": "ask", "text": "hi"}))
        message_id = (await frames_until_end(ws, "ask"))[0]["message_id"]
    for token, target in ((intruder, message_id), (owner, str(uuid.uuid4()))):
        frames = await resume(live_server.ws_url, token, target, offset=0)
        assert [(f["type"], f["code"]) for f in frames] == [("chat.error", "not_found")]


async def test_stop_by_message_id_after_reconnecting(live_server: LiveServer, llm: LoopbackLLM) -> None:
    llm.enqueue(slow_answer(pieces=200, pause=0.05))
    token = await new_token(live_server.http_url)
    before = await start_reply(live_server.ws_url, token, frames_before_leaving=3)
    message_id = before[0]["message_id"]
    async with connect(live_server.ws_url) as ws:
        await ws_auth(ws, token)
        await ws.send(json.dumps({"type": "chat.resume", "id": "r", "message_id": message_id, "offset": 3}))
        await recv(ws)
        await ws.send(json.dumps({"type": "chat.stop", "message_id": message_id}))
        frames = await frames_until_end(ws, "r")
    assert frames[-1]["type"] == "chat.done" and frames[-1]["status"] == "stopped"
    assert await llm.wait_for_disconnect(3.0)


# --- across two instances -------------------------------------------------------------------------------
def _wait_ready(port: int, process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    # Generous: on a busy 2-core machine two cold starts side by side can take half a minute.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "instance exited during start-up"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"instance on port {port} never became ready")


@pytest.fixture
def two_instances(stack: str, settings: Settings, llm: LoopbackLLM) -> Iterator[tuple[str, str]]:
    if stack != "postgres-redis":
        pytest.skip("resuming on another process needs the shared Redis stack (runs when it is configured)")
    ports = [_free_port(), _free_port()]
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "REDIS_URL": settings.redis_url or "",
        "EAILI5_KV_PREFIX": settings.kv_prefix,
        "EAILI5_ENVIRONMENT": "test",
        "EAILI5_FRONTEND_DIST": "/nonexistent",
        "EAILI5_LOG_LEVEL": "WARNING",
        "OPENAI_BASE_URL": llm.base_url,
        "OPENAI_API_KEY": "sk-loopback",
        "OPENAI_MODEL": "loopback-model",
        "EAILI5_TUTOR_FIRST_TOKEN_TIMEOUT_SECONDS": "60",
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "eaili5.cli", "serve", "--port", str(port)],
            env={**env, "EAILI5_INSTANCE_ID": f"chat-{n}"},
            cwd=Path(__file__).parents[2],
        )
        for n, port in enumerate(ports)
    ]
    try:
        for port, process in zip(ports, processes, strict=True):
            _wait_ready(port, process)
        yield f"127.0.0.1:{ports[0]}", f"127.0.0.1:{ports[1]}"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


async def test_resume_on_another_instance(two_instances: tuple[str, str], llm: LoopbackLLM) -> None:
    a, b = two_instances
    llm.enqueue(slow_answer(pieces=30, pause=0.05))
    token = await new_token(f"http://{a}")
    before = await start_reply(f"ws://{a}/ws", token, frames_before_leaving=3)
    rest = await resume(f"ws://{b}/ws", token, before[0]["message_id"], offset=len(before))
    assert [f["offset"] for f in before + rest] == list(range(len(before) + len(rest)))
    assert text_of(before + rest) == "".join(f"Part {n} is here. " for n in range(30))
    assert rest[-1]["type"] == "chat.done" and rest[-1]["status"] == "complete"


async def test_stop_from_another_instance(two_instances: tuple[str, str], llm: LoopbackLLM) -> None:
    a, b = two_instances
    llm.enqueue(slow_answer(pieces=200, pause=0.05))
    token = await new_token(f"http://{a}")
    before = await start_reply(f"ws://{a}/ws", token, frames_before_leaving=3)
    message_id = before[0]["message_id"]
    async with connect(f"ws://{b}/ws") as ws:
        await ws_auth(ws, token)
        await ws.send(json.dumps({"type": "chat.resume", "id": "r", "message_id": message_id, "offset": 3}))
        await recv(ws)
        await ws.send(json.dumps({"type": "chat.stop", "message_id": message_id}))
        frames = await frames_until_end(ws, "r")
    assert frames[-1]["status"] == "stopped"
    assert await llm.wait_for_disconnect(3.0)
