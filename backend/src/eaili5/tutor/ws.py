"""The `chat.*` frames of `/ws` (protocol in docs/websocket.md).

- `chat.send` {id, text, level, conversation_id?, context?}: the reply streams back as `chat.status`,
  `chat.delta`, `chat.sources` and one `chat.done` (or `chat.error`), each echoing `id` and carrying
  `message_id`, `conversation_id` and its `offset` in the reply.
- `chat.stop` {id} (the `id` of the `chat.send`) or {message_id}: stops generation upstream.
- `chat.resume` {id, message_id, offset}: the reply's frames from `offset`, then live until it ends,
  from whichever instance is writing it.
Bad frames get an `error` frame; the socket stays open.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from pydantic import ValidationError

from eaili5.core.errors import AppError, RateLimited
from eaili5.core.state import AppState
from eaili5.realtime.hub import Connection
from eaili5.tutor.resume import ReplyNotFound, ResumeReader
from eaili5.tutor.runtime import TutorRuntime, tutor_runtime
from eaili5.tutor.schemas import ChatIn

logger = logging.getLogger(__name__)

CHAT_FRAME_TYPES = frozenset({"chat.send", "chat.stop", "chat.resume"})
_CHAT_FIELDS = ("text", "level", "conversation_id", "context")
MAX_OFFSET = 1_000_000


class ChatFrameError(AppError):
    """Rendered by the socket loop as an `error` frame with this code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = code


class _Replies:
    """What one socket is generating: the `chat.send` id -> message id, bounded per socket."""

    def __init__(self) -> None:
        self.by_frame_id: dict[str, uuid.UUID] = {}
        self.followers: set[asyncio.Task[None]] = set()  # chat.resume readers


def _replies_of(connection: Connection) -> _Replies:
    # Kept on the connection itself, so it goes away with it.
    replies = getattr(connection, "_chat_replies", None)
    if replies is None:
        replies = _Replies()
        setattr(connection, "_chat_replies", replies)  # noqa: B010 - Connection belongs to realtime/
    return replies


async def handle_chat_frame(connection: Connection, frame: dict[str, Any]) -> None:
    state: AppState = connection.websocket.app.state.eaili5
    runtime = tutor_runtime(connection.websocket.app)
    frame_type = frame["type"]
    if frame_type == "chat.send":
        await _send(connection, frame, state, runtime)
    elif frame_type == "chat.stop":
        await _stop(connection, frame, runtime)
    else:
        await _resume(connection, frame, state)


# --- chat.send ---------------------------------------------------------------------------------------
async def _send(
    connection: Connection, frame: dict[str, Any], state: AppState, runtime: TutorRuntime
) -> None:
    frame_id, echo = _required_id(frame), frame["id"]
    body = _chat_input(frame)
    replies = _replies_of(connection)
    _forget_finished(replies, runtime)
    if frame_id in replies.by_frame_id:
        raise ChatFrameError("bad_frame", "A reply with this 'id' is still being written: use a new id.")
    if len(replies.by_frame_id) >= state.settings.tutor_max_generations_per_connection:
        raise ChatFrameError(
            "too_many_replies", "Wait for a reply to finish (or stop one) before asking more."
        )
    service = await runtime.service()
    try:
        admitted = await service.admit(connection.principal.user_id, body)
    except RateLimited as exc:
        _chat_error(connection, echo, "rate_limited", exc.detail, retry_after=exc.retry_after)
        return
    replies.by_frame_id[frame_id] = admitted.message_id

    def deliver(numbered: dict[str, Any]) -> None:
        _deliver(connection, state, {**numbered, "id": echo})
        if numbered["type"] in ("chat.done", "chat.error"):
            replies.by_frame_id.pop(frame_id, None)

    # The first frame leaves now, before anything is awaited; the question is saved and answered in
    # the reply's own task, so this socket keeps reading frames.
    stream = service.open_reply(admitted, deliver)
    await runtime.start(admitted.message_id, admitted.user_id, service.respond(admitted, deliver, stream))


def _chat_input(frame: dict[str, Any]) -> ChatIn:
    unknown = set(frame) - {"type", "id", *_CHAT_FIELDS}
    if unknown:
        raise ChatFrameError(
            "bad_frame", f"Unknown field(s) in chat.send: {', '.join(sorted(unknown))[:100]}."
        )
    try:
        return ChatIn.model_validate({name: frame[name] for name in _CHAT_FIELDS if name in frame})
    except ValidationError as exc:
        raise ChatFrameError("bad_frame", _validation_message(exc)) from None


def _forget_finished(replies: _Replies, runtime: TutorRuntime) -> None:
    for frame_id, message_id in list(replies.by_frame_id.items()):
        if message_id not in runtime.generations:
            del replies.by_frame_id[frame_id]


# --- chat.stop ---------------------------------------------------------------------------------------
async def _stop(connection: Connection, frame: dict[str, Any], runtime: TutorRuntime) -> None:
    user_id = connection.principal.user_id
    if frame.get("message_id") is not None:
        await runtime.stop(_uuid(frame, "message_id"), user_id)
        return
    message_id = _replies_of(connection).by_frame_id.get(_required_id(frame))
    if message_id is None:
        raise ChatFrameError("not_found", "No reply with this id is being written on this connection.")
    await runtime.stop(message_id, user_id)


# --- chat.resume -------------------------------------------------------------------------------------
async def _resume(connection: Connection, frame: dict[str, Any], state: AppState) -> None:
    _required_id(frame)
    frame_id = frame["id"]
    message_id = _uuid(frame, "message_id")
    offset = frame.get("offset", 0)
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= MAX_OFFSET:
        raise ChatFrameError("bad_frame", "'offset' must be a whole number from 0 (the next frame you need).")
    reader = ResumeReader(
        state.kv, message_id, connection.principal.user_id, state.settings.tutor_model_timeout_seconds
    )
    # Followed in the background so the socket keeps serving other frames meanwhile.
    followers = _replies_of(connection).followers
    task = asyncio.create_task(_follow(connection, state, reader, frame_id, offset), name="chat-resume")
    followers.add(task)
    task.add_done_callback(followers.discard)


async def _follow(
    connection: Connection, state: AppState, reader: ResumeReader, frame_id: Any, offset: int
) -> None:
    try:
        async for numbered in reader.frames(offset):
            if not _open(connection, state):
                return  # the client left again; it can resume once more
            _deliver(connection, state, {**numbered, "id": frame_id})
    except ReplyNotFound:
        detail = "This reply cannot be resumed (unknown, finished too long ago, or not yours)."
        _chat_error(connection, frame_id, "not_found", detail, message_id=str(reader.message_id))
    except Exception:
        logger.exception("chat.resume failed")
        _chat_error(connection, frame_id, "internal", "Resuming failed on our side. Try again.")


# --- helpers ---------------------------------------------------------------------------------------
def _open(connection: Connection, state: AppState) -> bool:
    return connection.close_code is None and connection.id in state.hub.connections


def _deliver(connection: Connection, state: AppState, frame: dict[str, Any]) -> None:
    if _open(connection, state):
        connection.send_frame(frame)


def _chat_error(connection: Connection, frame_id: Any, code: str, detail: str, **extra: Any) -> None:
    connection.send_frame({"type": "chat.error", "id": frame_id, "code": code, "detail": detail, **extra})


def _required_id(frame: dict[str, Any]) -> str:
    frame_id = frame.get("id")
    if frame_id is None or frame_id == "":
        raise ChatFrameError("bad_frame", f"{frame['type']} needs an 'id' (replies echo it).")
    return str(frame_id)


def _uuid(frame: dict[str, Any], name: str) -> uuid.UUID:
    value = frame.get(name)
    try:
        return uuid.UUID(str(value)) if isinstance(value, str) else uuid.UUID("invalid")
    except ValueError:
        raise ChatFrameError("bad_frame", f"'{name}' must be a UUID.") from None


def _validation_message(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors()[:3]:
        where = ".".join(str(part) for part in error["loc"]) or "frame"
        problems.append(f"{where}: {error['msg']}")
    return "; ".join(problems)
