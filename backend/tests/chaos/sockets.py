"""A WebSocket client for chaos tests: signs in, keeps reading in the background, and lets a test
wait for the frame it expects (or learn how the socket closed)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

Frame = dict[str, Any]


class Socket:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[Frame] = []
        self.close_code: int | None = None
        self.closed = asyncio.Event()
        self._reader = asyncio.create_task(self._read_forever())

    @classmethod
    async def signed_in(cls, ws_url: str, token: str) -> Socket:
        socket = cls(await connect(ws_url, max_size=None))
        await socket.send({"type": "auth", "token": token})
        await socket.wait_for(lambda f: f["type"] == "ready", "ready")
        return socket

    async def _read_forever(self) -> None:
        try:
            async for raw in self.ws:
                self.frames.append(json.loads(raw))
        except ConnectionClosed:
            pass
        self.close_code = self.ws.close_code
        self.closed.set()

    async def send(self, frame: Frame) -> None:
        await self.ws.send(json.dumps(frame))

    def mark(self) -> int:
        """Where the frames received from now on start."""
        return len(self.frames)

    async def wait_for(
        self, matches: Callable[[Frame], bool], what: str, since: int = 0, timeout: float = 20.0
    ) -> Frame:
        deadline = time.monotonic() + timeout
        while True:
            for frame in self.frames[since:]:
                if matches(frame):
                    return frame
            if self.closed.is_set():
                raise AssertionError(f"socket closed ({self.close_code}) before {what}")
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no {what} within {timeout} s; last frames: {str(self.frames[-3:])[:600]}"
                )
            await asyncio.sleep(0.05)

    async def request(self, frame: Frame, timeout: float = 20.0) -> Frame:
        """Send a frame with an `id` and return the first reply that echoes it."""
        since = self.mark()
        await self.send(frame)
        return await self.wait_for(lambda f: f.get("id") == frame["id"], f"reply to {frame}", since, timeout)

    async def ask(self, frame_id: str, text: str, timeout: float = 30.0) -> list[Frame]:
        """A chat question's frames up to its end (`chat.done`, `chat.error` or an `error`)."""
        since = self.mark()
        await self.send({"type": "chat.send", "id": frame_id, "text": text})
        await self.wait_for(
            lambda f: f.get("id") == frame_id and f["type"] in ("chat.done", "chat.error", "error"),
            f"the end of reply {frame_id}",
            since,
            timeout,
        )
        return [f for f in self.frames[since:] if f.get("id") == frame_id]

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()
        await self._reader


def channel_message(channel: str, event: str | None = None) -> Callable[[Frame], bool]:
    def matches(frame: Frame) -> bool:
        if frame["type"] != "message" or frame["channel"] != channel:
            return False
        return event is None or frame["data"].get("event") == event

    return matches
