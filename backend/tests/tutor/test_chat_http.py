"""`POST /api/chat`: JSON for the finished reply, server-sent events for the stream."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, auth, new_guest
from tests.tutor.chat_support import model_settings
from tests.tutor.loopback_llm import LoopbackLLM, Pause, Script, text, tool_call, usage


@pytest.fixture
def settings_overrides(llm: LoopbackLLM) -> dict[str, Any]:
    return model_settings(llm)


def parse_sse(body: str) -> list[dict[str, Any]]:
    events = []
    for block in body.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.split("\n"))
        data = json.loads(fields["data"])
        assert fields["event"] == data["type"] and int(fields["id"]) == data["offset"]
        events.append(data)
    return events


async def test_json_reply(client: httpx.AsyncClient, llm: LoopbackLLM) -> None:
    llm.enqueue(
        Script([*tool_call("c1", "search_knowledge", ['{"query": "gas fee"}']), usage()]),
        Script([*text("Gas is the small fee ", "you pay to use the network."), usage()]),
    )
    token, _ = await new_guest(client)
    response = await client.post(
        "/api/chat",
        json={"text": "what is gas", "level": "simple"},
        headers={**auth(token), "Accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    reply = response.json()
    assert reply["text"] == "Gas is the small fee you pay to use the network."
    assert reply["engine"] == "loopback-model" and reply["status"] == "complete"
    assert reply["intent"] == "concept" and reply["warning"] is False
    assert any(source["kind"] == "card" for source in reply["sources"])
    assert len(reply["suggestions"]) == 3 and isinstance(reply["grade"], float)

    conversation = (
        await client.get(f"/api/conversations/{reply['conversation_id']}", headers=auth(token))
    ).json()
    assert [m["role"] for m in conversation["messages"]] == ["user", "assistant"]
    assert conversation["messages"][1]["sources"] == reply["sources"]


async def test_sse_streams_the_same_events(live_server: LiveServer, llm: LoopbackLLM) -> None:
    llm.enqueue(Script([*text("Base is ", "a layer 2."), usage()]))
    async with httpx.AsyncClient(base_url=live_server.http_url, timeout=10) as http:
        token = (await http.post("/api/session")).json()["token"]
        headers = {**auth(token), "Accept": "text/event-stream"}
        async with http.stream(
            "POST", "/api/chat", json={"text": "what is base"}, headers=headers
        ) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            assert response.headers["cache-control"] == "no-cache"
            body = (await response.aread()).decode()
    events = parse_sse(body)
    assert [e["offset"] for e in events] == list(range(len(events)))
    assert "".join(e["text"] for e in events if e["type"] == "chat.delta") == "Base is a layer 2."
    assert events[-1]["type"] == "chat.done" and events[-1]["status"] == "complete"
    assert len({e["message_id"] for e in events}) == 1


async def test_model_failure_falls_back_over_http(client: httpx.AsyncClient, llm: LoopbackLLM) -> None:
    llm.enqueue(Script(status=500))
    token, _ = await new_guest(client)
    response = await client.post("/api/chat", json={"text": "what is a seed phrase"}, headers=auth(token))
    reply = response.json()
    assert reply["engine"] == "offline" and "error 500" in reply["fallback_reason"]
    assert "seed phrase" in reply["text"].lower()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": "x" * 2001},
        {"text": "hi", "level": "toddler"},
        {"text": "hi", "conversation_id": "123"},
        {"text": "hi", "extra": True},
        {"text": "hi", "context": {"token_address": "not-an-address"}},
    ],
)
async def test_bad_bodies_are_422(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    token, _ = await new_guest(client)
    response = await client.post("/api/chat", json=body, headers=auth(token))
    assert response.status_code == 422 and response.json()["error"] == "ValidationError"


async def test_someone_elses_conversation_is_404(client: httpx.AsyncClient, llm: LoopbackLLM) -> None:
    owner, _ = await new_guest(client)
    other, _ = await new_guest(client)
    reply = (await client.post("/api/chat", json={"text": "hello"}, headers=auth(owner))).json()
    response = await client.post(
        "/api/chat", json={"text": "hi", "conversation_id": reply["conversation_id"]}, headers=auth(other)
    )
    assert response.status_code == 404 and response.json()["error"] == "NotFound"


async def test_chat_needs_a_session(client: httpx.AsyncClient) -> None:
    assert (await client.post("/api/chat", json={"text": "hi"})).status_code == 401


async def test_the_token_context_reaches_the_model(client: httpx.AsyncClient, llm: LoopbackLLM) -> None:
    token, _ = await new_guest(client)
    address = "0x4200000000000000000000000000000000000006"
    body = {"text": "what is this?", "context": {"token_address": address}}
    assert (await client.post("/api/chat", json=body, headers=auth(token))).status_code == 200
    question = llm.requests[0].body["messages"][-1]["content"]
    assert question.startswith("what is this?") and address in question


def slow_answer(pieces: int, pause: float) -> Script:
    steps: list[Any] = list(text("Part 0 is here. ", finish=False))
    for n in range(1, pieces):
        steps += [Pause(pause), *text(f"Part {n} is here. ", finish=False)[1:]]
    return Script([*steps, *text(finish=True)[1:], usage()])


class EventReader:
    """Reads an open SSE response a few events at a time."""

    def __init__(self, response: httpx.Response) -> None:
        self.chunks = response.aiter_text()
        self.buffer = ""

    async def read(self, count: int | None = None) -> list[dict[str, Any]]:
        """`count` events, or all of them until the stream ends."""
        events: list[dict[str, Any]] = []
        while count is None or len(events) < count:
            if "\n\n" in self.buffer:
                block, self.buffer = self.buffer.split("\n\n", 1)
                events += parse_sse(block)
                continue
            try:
                self.buffer += await anext(self.chunks)
            except StopAsyncIteration:
                break
        return events


async def test_an_sse_reply_can_be_resumed_and_stopped_over_http(
    live_server: LiveServer, llm: LoopbackLLM
) -> None:
    llm.enqueue(slow_answer(pieces=20, pause=0.05), slow_answer(pieces=300, pause=0.05))
    async with httpx.AsyncClient(base_url=live_server.http_url, timeout=15) as http:
        token = (await http.post("/api/session")).json()["token"]
        headers = {**auth(token), "Accept": "text/event-stream"}
        async with http.stream("POST", "/api/chat", json={"text": "layer 2s?"}, headers=headers) as response:
            before = await EventReader(response).read(4)  # then the client drops the stream
        message_id = before[0]["message_id"]
        async with http.stream(
            "GET", f"/api/chat/{message_id}/events?offset=4", headers=auth(token)
        ) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            rest = await EventReader(response).read()
        assert [e["offset"] for e in before + rest] == list(range(len(before) + len(rest)))
        assert "".join(e["text"] for e in before + rest if e["type"] == "chat.delta") == "".join(
            f"Part {n} is here. " for n in range(20)
        )
        assert rest[-1]["status"] == "complete"

        async with http.stream("POST", "/api/chat", json={"text": "more"}, headers=headers) as response:
            reader = EventReader(response)
            first = await reader.read(3)
            stop = await http.post(f"/api/chat/{first[0]['message_id']}/stop", headers=auth(token))
            assert stop.status_code == 204
            events = first + await reader.read()
        assert events[-1]["type"] == "chat.done" and events[-1]["status"] == "stopped"
        assert await llm.wait_for_disconnect(3.0)

        unknown = await http.get(f"/api/chat/{uuid.uuid4()}/events", headers=auth(token))
        assert unknown.status_code == 404
        other = (await http.post("/api/session")).json()["token"]
        assert (await http.get(f"/api/chat/{message_id}/events", headers=auth(other))).status_code == 404


async def test_metrics_count_model_calls_and_first_token_latency(
    client: httpx.AsyncClient, llm: LoopbackLLM
) -> None:
    llm.enqueue(Script(text("Fine.")), Script(status=500))
    token, _ = await new_guest(client)
    for _ in range(2):
        assert (
            await client.post("/api/chat", json={"text": "what is a wallet"}, headers=auth(token))
        ).status_code == 200
    metrics = (await client.get("/metrics")).text
    assert 'tutor_provider_calls_total{outcome="ok",provider="openai_compat"} 1.0' in metrics
    assert 'tutor_provider_calls_total{outcome="error",provider="openai_compat"} 1.0' in metrics
    assert 'tutor_first_token_seconds_count{engine="model"} 2.0' in metrics  # the fallback's text counts too
    assert 'tutor_replies_total{engine="offline",status="complete"} 1.0' in metrics
