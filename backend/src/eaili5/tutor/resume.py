"""The KV buffer of a reply in progress, so any instance can resume it (`chat.resume`).

The one task generating a reply numbers its frames itself (offset 0, 1, 2, …). Each frame is written
to its own key with a TTL *before* it is published on the reply's channel (frames go in batches, each
batch one KV round trip: all its keys, then all its messages), so a reader that
subscribed and then finds no key for offset n knows frame n has not been published yet and will
arrive live. A reader fills any gap in the live feed from the keys. Frames are stored without the
client's request `id`, which each connection adds for itself.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import Any

import orjson

from eaili5.core.kv import KV, KV_UNAVAILABLE

logger = logging.getLogger(__name__)
TERMINAL_TYPES = frozenset({"chat.done", "chat.error"})


def _meta_key(message_id: uuid.UUID) -> str:
    return f"chat:meta:{message_id}"


def _frame_key(message_id: uuid.UUID, offset: int) -> str:
    return f"chat:frame:{message_id}:{offset}"


def reply_channel(message_id: uuid.UUID) -> str:
    return f"chat:{message_id}"


def _meta(user_id: uuid.UUID, conversation_id: uuid.UUID) -> bytes:
    return orjson.dumps({"user_id": str(user_id), "conversation_id": str(conversation_id)})


class ReplyNotFound(Exception):
    """No resumable reply with that id for this user (never existed, someone else's, or expired)."""


class ReplyBuffer:
    """Written by the one task that generates a reply."""

    def __init__(self, kv: KV, message_id: uuid.UUID, ttl_seconds: float) -> None:
        self.kv, self.message_id, self.ttl = kv, message_id, ttl_seconds
        self.next_offset = 0
        self.kv_lost = False  # the KV went away mid-reply: warned once, frames still go to the asker
        self._meta: bytes | None = None  # set by `open_with_first_frames`, written with them

    async def open(self, user_id: uuid.UUID, conversation_id: uuid.UUID) -> None:
        try:
            await self.kv.set(_meta_key(self.message_id), _meta(user_id, conversation_id), self.ttl)
        except KV_UNAVAILABLE as exc:  # as in `store`: not resumable, but the asker is still served
            self._lose_kv(exc)

    def open_with_first_frames(self, user_id: uuid.UUID, conversation_id: uuid.UUID) -> None:
        """Like `open`, written in the same round trip as the first frames: for a reply nobody can
        resume before it has frames (a JSON reply's id is known only when the reply is)."""
        self._meta = _meta(user_id, conversation_id)

    async def append(self, frame: dict[str, Any]) -> dict[str, Any]:
        """Number the frame, store it, then announce it. Returns the numbered frame."""
        numbered = self.number(frame)
        await self.store(numbered)
        return numbered

    def number(self, frame: dict[str, Any]) -> dict[str, Any]:
        """The frame with the next offset; `store` it (in offset order) before numbering the next."""
        numbered = {**frame, "offset": self.next_offset}
        self.next_offset += 1
        return numbered

    async def store(self, numbered: dict[str, Any]) -> None:
        """Write a numbered frame to its key, then announce it on the reply's channel."""
        await self.store_many([numbered])

    async def store_many(self, numbered: list[dict[str, Any]]) -> None:
        """Write numbered frames (in offset order) to their keys, then announce them, in one KV round
        trip: a reply streams dozens of frames, and two commands each cost more than the reply."""
        if not numbered:
            return
        encoded = [orjson.dumps(frame) for frame in numbered]
        items = [
            (_frame_key(self.message_id, f["offset"]), e) for f, e in zip(numbered, encoded, strict=True)
        ]
        if self._meta is not None:
            items.insert(0, (_meta_key(self.message_id), self._meta))
            self._meta = None
        try:
            await self.kv.set_and_publish(items, self.ttl, reply_channel(self.message_id), encoded)
        except KV_UNAVAILABLE as exc:
            # Without the KV this frame cannot be resumed elsewhere, but the socket that asked can
            # still be served: the reply goes on instead of leaving it waiting for an end forever.
            self._lose_kv(exc)

    def _lose_kv(self, exc: Exception) -> None:
        if not self.kv_lost:
            logger.warning("reply %s is no longer resumable: KV unavailable (%s)", self.message_id, exc)
        self.kv_lost = True


@dataclass
class ResumeReader:
    """Frames of one reply from `offset`, first from the buffer, then live until the reply ends."""

    kv: KV
    message_id: uuid.UUID
    user_id: uuid.UUID
    idle_timeout_seconds: float

    async def frames(self, offset: int) -> AsyncGenerator[dict[str, Any], None]:
        live: asyncio.Queue[bytes] = asyncio.Queue()

        async def on_frame(_: str, payload: bytes) -> None:
            live.put_nowait(payload)

        channel = reply_channel(self.message_id)
        await self.kv.subscribe(channel, on_frame)  # before reading the buffer: nothing slips between
        try:
            await self._check_owner()
            async for frame in self._follow(offset, live):
                yield frame
        finally:
            await self.kv.unsubscribe(channel, on_frame)

    async def _check_owner(self) -> None:
        raw = await self.kv.get(_meta_key(self.message_id))
        if raw is None or orjson.loads(raw).get("user_id") != str(self.user_id):
            raise ReplyNotFound(str(self.message_id))

    async def _follow(self, offset: int, live: asyncio.Queue[bytes]) -> AsyncIterator[dict[str, Any]]:
        expected = offset
        while True:
            # Everything already stored, in order.
            while (raw := await self.kv.get(_frame_key(self.message_id, expected))) is not None:
                frame = orjson.loads(raw)
                yield frame
                expected += 1
                if frame.get("type") in TERMINAL_TYPES:
                    return
            # Then wait for the next live frame; a later one means a gap, refilled from the buffer.
            while True:
                try:
                    payload = await asyncio.wait_for(live.get(), self.idle_timeout_seconds)
                except TimeoutError:
                    yield {"type": "chat.error", "code": "interrupted", "detail": _INTERRUPTED}
                    return
                frame = orjson.loads(payload)
                if frame["offset"] < expected:
                    continue  # already sent from the buffer
                if frame["offset"] > expected:
                    break  # missed some: read them from the buffer
                yield frame
                expected += 1
                if frame.get("type") in TERMINAL_TYPES:
                    return


_INTERRUPTED = "This reply stopped arriving (the server writing it may have restarted). Ask again."
