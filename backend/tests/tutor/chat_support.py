"""Shared pieces of the chat transport tests: the loopback model server and WebSocket helpers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import ClientConnection

from tests.tutor.loopback_llm import LoopbackLLM


def model_settings(llm: LoopbackLLM, **more: Any) -> dict[str, Any]:
    """Settings that point the tutor at the loopback model. The first-token time-out is long here so a
    busy test machine never turns a transport test into a fallback test (those set it short)."""
    return {
        "openai_base_url": llm.base_url,
        "openai_api_key": "sk-loopback",
        "openai_model": "loopback-model",
        "tutor_first_token_timeout_seconds": 60.0,
        **more,
    }


async def ws_auth(ws: ClientConnection, token: str) -> dict[str, Any]:
    await ws.send(json.dumps({"type": "auth", "token": token}))
    ready: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert ready["type"] == "ready", ready
    return ready


async def recv(ws: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), timeout))
    return frame


async def frames_until_end(ws: ClientConnection, frame_id: Any, timeout: float = 15) -> list[dict[str, Any]]:
    """Frames for `frame_id` until its chat.done / chat.error (frames for other ids are skipped)."""
    frames = []
    while True:
        frame = await recv(ws, timeout)
        if frame.get("id") != frame_id:
            continue
        frames.append(frame)
        if frame["type"] in ("chat.done", "chat.error", "error"):
            return frames


def text_of(frames: list[dict[str, Any]]) -> str:
    return "".join(frame["text"] for frame in frames if frame["type"] == "chat.delta")
