"""Per-user message rate and daily cap, over HTTP and WebSocket, on both storage stacks."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.conftest import LiveServer, auth, new_guest
from tests.tutor.chat_support import frames_until_end, model_settings, recv, ws_auth
from tests.tutor.loopback_llm import LoopbackLLM


@pytest.fixture
def limits() -> dict[str, Any]:
    return {}  # each test parametrizes its own


@pytest.fixture
def settings_overrides(llm: LoopbackLLM, limits: dict[str, Any]) -> dict[str, Any]:
    return model_settings(llm, **limits)


@pytest.mark.parametrize("limits", [{"tutor_rate_limit": "3/minute", "tutor_daily_cap": 100}])
async def test_the_fourth_message_in_a_minute_is_refused(client: httpx.AsyncClient, llm: LoopbackLLM) -> None:
    token, _ = await new_guest(client)
    for _ in range(3):
        assert (await client.post("/api/chat", json={"text": "hi"}, headers=auth(token))).status_code == 200
    refused = await client.post("/api/chat", json={"text": "hi"}, headers=auth(token))
    assert refused.status_code == 429 and refused.json()["error"] == "RateLimited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert len(llm.requests) == 3  # the refused message never reached the model
    other, _ = await new_guest(client)  # limits are per user
    assert (await client.post("/api/chat", json={"text": "hi"}, headers=auth(other))).status_code == 200


@pytest.mark.parametrize("limits", [{"tutor_rate_limit": "100/minute", "tutor_daily_cap": 2}])
async def test_the_daily_cap(client: httpx.AsyncClient) -> None:
    token, _ = await new_guest(client)
    for _ in range(2):
        assert (await client.post("/api/chat", json={"text": "hi"}, headers=auth(token))).status_code == 200
    refused = await client.post("/api/chat", json={"text": "hi"}, headers=auth(token))
    assert refused.status_code == 429 and "today" in refused.json()["detail"]
    assert int(refused.headers["Retry-After"]) >= 60


@pytest.mark.parametrize("limits", [{"tutor_rate_limit": "1/minute", "tutor_daily_cap": 100}])
async def test_a_refused_message_over_ws_is_a_chat_error(live_server: LiveServer, llm: LoopbackLLM) -> None:
    async with httpx.AsyncClient(base_url=live_server.http_url) as http:
        token = (await http.post("/api/session")).json()["token"]
    async with connect(live_server.ws_url) as ws:
        await ws_auth(ws, token)
        await ws.send(json.dumps({"type": "chat.send", "id": "1", "text": "hi"}))
        assert (await frames_until_end(ws, "1"))[-1]["type"] == "chat.done"
        await ws.send(json.dumps({"type": "chat.send", "id": "2", "text": "hi again"}))
        error = await recv(ws)
        assert error["type"] == "chat.error" and error["code"] == "rate_limited" and error["id"] == "2"
        assert error["retry_after"] >= 1
        await ws.send(json.dumps({"type": "ping", "id": "p"}))
        assert (await recv(ws))["type"] == "pong"
