"""`chat.*` over a real `/ws` (uvicorn on loopback), the model played by the loopback SSE server."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.conftest import LiveServer, auth
from tests.tutor.chat_support import frames_until_end, model_settings, recv, text_of, ws_auth
from tests.tutor.loopback_llm import LoopbackLLM, Pause, Script, text, usage


@pytest.fixture
def settings_overrides(llm: LoopbackLLM) -> dict[str, Any]:
    return model_settings(llm, tutor_max_generations_per_connection=2)


def slow_answer(pieces: int = 40, pause: float = 0.05) -> Script:
    steps: list[Any] = list(text("Part 0 is here. ", finish=False))
    for n in range(1, pieces):
        steps += [Pause(pause), *text(f"Part {n} is here. ", finish=False)[1:]]
    return Script([*steps, *text(finish=True)[1:], usage()])


async def guest(live_server: LiveServer) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=live_server.http_url) as http:
        body = (await http.post("/api/session")).json()
    return body["token"], body["user"]["id"]


async def test_a_question_streams_numbered_frames_and_is_saved(
    live_server: LiveServer, llm: LoopbackLLM
) -> None:
    llm.enqueue(Script([*text("A wallet ", "holds your keys."), usage()]))
    token, _ = await guest(live_server)
    async with connect(live_server.ws_url) as ws:
        await ws_auth(ws, token)
        await ws.send(
            json.dumps({"type": "chat.send", "id": "q1", "text": "what is a wallet", "level": "eli5"})
        )
        frames = await frames_until_end(ws, "q1")

    assert [f["offset"] for f in frames] == list(range(len(frames)))
    assert {f["id"] for f in frames} == {"q1"}
    assert len({f["message_id"] for f in frames}) == 1 and len({f["conversation_id"] for f in frames}) == 1
    assert text_of(frames) == "A wallet holds your keys."
    done = frames[-1]
    assert done["type"] == "chat.done" and done["status"] == "complete"
    assert done["engine"] == "loopback-model" and done["fallback_reason"] is None
    assert isinstance(done["grade"], float) and len(done["suggestions"]) == 3
    assert set(done) >= {
        "intent",
        "warning",
        "suggestions",
        "grade",
        "engine",
        "message_id",
        "conversation_id",
    }

    async with httpx.AsyncClient(base_url=live_server.http_url) as http:
        saved = (await http.get(f"/api/conversations/{done['conversation_id']}", headers=auth(token))).json()
    assert [(m["role"], m["text"], m["status"]) for m in saved["messages"]] == [
        ("user", "what is a wallet", "complete"),
        ("assistant", "A wallet holds your keys.", "complete"),
    ]
    assert saved["messages"][1]["id"] == done["message_id"] and saved["messages"][1]["level"] == "eli5"


@pytest.mark.parametrize(
    ("frame", "detail"),
    [
        ({"type": "chat.send", "text": "hi"}, "needs an 'id'"),
        ({"type": "chat.send", "id": "x"}, "text"),
        ({"type": "chat.send", "id": "x", "text": "a" * 2001}, "text"),
        ({"type": "chat.send", "id": "x", "text": "   "}, "blank"),
        ({"type": "chat.send", "id": "x", "text": "hi", "level": "baby"}, "level"),
        ({"type": "chat.send", "id": "x", "text": "hi", "conversation_id": "not-a-uuid"}, "conversation_id"),
        (
            {"type": "chat.send", "id": "x", "text": "hi", "context": {"token_address": "0x12"}},
            "token_address",
        ),
        ({"type": "chat.send", "id": "x", "text": "hi", "mood": "happy"}, "mood"),
        ({"type": "chat.stop", "id": "never-sent"}, "No reply"),
        ({"type": "chat.stop", "message_id": "nope"}, "UUID"),
        ({"type": "chat.resume", "id": "r", "message_id": str(uuid.uuid4()), "offset": -1}, "offset"),
        ({"type": "chat.resume", "id": "r", "message_id": 7}, "UUID"),
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_stays_open(
    live_server: LiveServer, frame: dict[str, Any], detail: str
) -> None:
    token, _ = await guest(live_server)
    async with connect(live_server.ws_url) as ws:
        await ws_auth(ws, token)
        await ws.send(json.dumps(frame))
        error = await recv(ws)
        assert error["type"] == "error" and error["code"] in ("bad_frame", "not_found"), error
        assert detail in error["detail"]
        await ws.send(json.dumps({"type": "ping", "id": "still-there"}))
        assert await recv(ws) == {"type": "pong", "id": "still-there"}


async def test_stop_mid_answer_closes_the_model_stream_and_saves_a_stopped_reply(
    live_server: LiveServer, llm: LoopbackLLM
) -> None:
    llm.enqueue(slow_answer(pieces=100, pause=0.05))
    token, _ = await guest(live_server)
    async with connect(live_server.ws_url) as ws:
        await ws_auth(ws, token)
        await ws.send(json.dumps({"type": "chat.send", "id": 7, "text": "tell me everything about gas"}))
        seen = [await recv(ws)]
        while text_of(seen).count("Part") < 3:
            seen.append(await recv(ws))
        await ws.send(json.dumps({"type": "chat.stop", "id": 7}))
        seen += await frames_until_end(ws, 7)

    done = seen[-1]
    assert done["type"] == "chat.done" and done["status"] == "stopped", done
    assert await llm.wait_for_disconnect(3.0), "the model's stream should have been closed"
    partial = text_of(seen)
    assert partial.startswith("Part 0 is here. Part 1 is here. Part 2 is here.") and "Part 99 " not in partial
    async with httpx.AsyncClient(base_url=live_server.http_url) as http:
        saved = (await http.get(f"/api/conversations/{done['conversation_id']}", headers=auth(token))).json()
    reply = saved["messages"][1]
    assert reply["status"] == "stopped" and reply["text"] == partial


async def test_several_replies_at_once_are_allowed_but_bounded(
    live_server: LiveServer, llm: LoopbackLLM
) -> None:
    llm.enqueue(slow_answer(pieces=6), slow_answer(pieces=6))
    token, _ = await guest(live_server)
    async with connect(live_server.ws_url) as ws:
        await ws_auth(ws, token)
        for frame_id in ("a", "b", "c"):  # the limit in this module is 2 per connection
            await ws.send(json.dumps({"type": "chat.send", "id": frame_id, "text": f"question {frame_id}"}))
        by_id: dict[str, list[dict[str, Any]]] = {"a": [], "b": [], "c": []}
        finished: set[str] = set()
        while finished != {"a", "b", "c"}:
            frame = await recv(ws)
            by_id[frame["id"]].append(frame)
            if frame["type"] in ("chat.done", "error"):
                finished.add(frame["id"])
    assert by_id["c"] == [by_id["c"][0]] and by_id["c"][0]["code"] == "too_many_replies"
    for frame_id in ("a", "b"):
        frames = by_id[frame_id]
        assert [f["offset"] for f in frames] == list(range(len(frames)))
        assert (
            text_of(frames).startswith("Part 0 is here. Part 1 is here.")
            and frames[-1]["status"] == "complete"
        )


async def test_another_users_conversation_is_not_found(live_server: LiveServer, llm: LoopbackLLM) -> None:
    owner_token, _ = await guest(live_server)
    intruder_token, _ = await guest(live_server)
    async with connect(live_server.ws_url) as ws:
        await ws_auth(ws, owner_token)
        await ws.send(json.dumps({"type": "chat.send", "id": "1", "text": "hello"}))
        conversation_id = (await frames_until_end(ws, "1"))[-1]["conversation_id"]
    async with connect(live_server.ws_url) as ws:
        await ws_auth(ws, intruder_token)
        frame = {"type": "chat.send", "id": "2", "text": "hi", "conversation_id": conversation_id}
        await ws.send(json.dumps(frame))
        frames = await frames_until_end(ws, "2")
    error = frames[-1]
    assert error["type"] == "chat.error" and error["code"] == "not_found" and error["id"] == "2"
    assert [f["type"] for f in frames] == ["chat.status", "chat.error"]


async def test_a_follow_up_sends_the_earlier_turns_to_the_model(
    live_server: LiveServer, llm: LoopbackLLM
) -> None:
    llm.enqueue(Script(text("Gas is a fee.")), Script(text("About a cent on Base.")))
    token, _ = await guest(live_server)
    async with connect(live_server.ws_url) as ws:
        await ws_auth(ws, token)
        await ws.send(json.dumps({"type": "chat.send", "id": "1", "text": "what is gas"}))
        first = await frames_until_end(ws, "1")
        assert text_of(first) == "Gas is a fee.", first
        follow_up = {
            "type": "chat.send",
            "id": "2",
            "text": "how much?",
            "conversation_id": first[-1]["conversation_id"],
        }
        await ws.send(json.dumps(follow_up))
        await frames_until_end(ws, "2")
    assert len(llm.requests) == 2, [r.body["messages"] for r in llm.requests]
    messages = llm.requests[1].body["messages"]
    assert [(m["role"], m["content"]) for m in messages[1:]] == [
        ("user", "what is gas"),
        ("assistant", "Gas is a fee."),
        ("user", "how much?"),
    ]
    assert "Reading level: simple." in messages[0]["content"]


async def test_a_failing_model_falls_back_and_says_so(live_server: LiveServer, llm: LoopbackLLM) -> None:
    llm.enqueue(Script(status=500))
    token, _ = await guest(live_server)
    async with connect(live_server.ws_url) as ws:
        await ws_auth(ws, token)
        await ws.send(json.dumps({"type": "chat.send", "id": "f", "text": "what is slippage"}))
        frames = await frames_until_end(ws, "f")
    statuses = [f["text"] for f in frames if f["type"] == "chat.status"]
    assert any("offline tutor" in status for status in statuses)
    done = frames[-1]
    assert done["engine"] == "offline" and "error 500" in done["fallback_reason"]
    assert "slippage" in text_of(frames).lower()
