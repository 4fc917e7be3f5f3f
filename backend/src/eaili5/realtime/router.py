"""`/ws`: the one WebSocket per client. Protocol in docs/websocket.md.

The first frame authenticates; after that every frame is a JSON object with a `type`.
Bad frames get an `error` frame and the socket stays open. Frames over the size limit
close the socket with 1009.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import orjson
from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from eaili5.auth.service import Principal, SessionService
from eaili5.core.errors import AppError
from eaili5.core.kv import KV_UNAVAILABLE
from eaili5.core.state import AppState
from eaili5.realtime.channels import authorization_error
from eaili5.realtime.hub import CLOSE_SESSION_ENDED, CLOSE_TRY_AGAIN_LATER, Connection, Hub, encode
from eaili5.realtime.ratelimit import TokenBucket
from eaili5.tutor.ws import CHAT_FRAME_TYPES, handle_chat_frame

logger = logging.getLogger(__name__)
router = APIRouter()

CLOSE_TOO_BIG = 1009
CLOSE_POLICY = 1008
# Sockets that keep flooding after being warned are disconnected.
MAX_RATE_LIMIT_STRIKES = 50
# How long a finished socket gets to take our close frame and answer it before its TCP connection is cut.
CLOSE_GRACE_SECONDS = 5.0
KV_DOWN = "Our cache is briefly unavailable. Please try again in a few seconds."


class FrameError(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


def _parse_frame(text: str) -> dict[str, Any]:
    try:
        frame = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise FrameError("bad_json", 'Frames must be JSON objects, like {"type": "ping"}.') from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise FrameError("bad_frame", 'Each frame needs a string \'type\', like {"type": "ping"}.')
    frame_id = frame.get("id")
    if frame_id is not None and not (isinstance(frame_id, str | int) and len(str(frame_id)) <= 64):
        raise FrameError("bad_frame", "'id' must be a string or number of at most 64 characters.")
    return frame


@router.websocket("/ws")
async def websocket_endpoint(websocket: WebSocket) -> None:
    state: AppState = websocket.app.state.eaili5
    await websocket.accept()
    principal = await _authenticate(websocket, state)
    if principal is None:
        return
    connection = Connection(websocket, principal, state.settings.ws_send_queue_size)
    state.hub.register(connection)
    state.metrics.ws_messages.labels("in", "auth").inc()
    try:
        connection.send_frame(
            {"type": "ready", "user_id": str(principal.user_id), "connection_id": connection.id}
        )
        await _serve(connection, state)
    finally:
        await state.hub.unregister(connection)
        # A dead peer neither reads nor answers: once its buffers are full even the close frame waits, and
        # the TCP connection (with its unsent frames) would stay until TCP gives up, many minutes later.
        connection.cut_off_later(CLOSE_GRACE_SECONDS)
        # Idle timeout or a finished loop: say goodbye properly instead of dropping the TCP stream.
        reason = "idle" if connection.close_code is None else ""
        await _close(websocket, connection.close_code or 1000, reason)


async def _authenticate(websocket: WebSocket, state: AppState) -> Principal | None:
    """Wait for a valid `auth` frame; close with 4401 on timeout or a bad token."""
    deadline = asyncio.get_running_loop().time() + state.settings.ws_auth_timeout_seconds
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        text = await _receive_text(websocket, state, timeout=max(0.0, remaining))
        if text is None:
            await _close(websocket, CLOSE_SESSION_ENDED, "authentication required")
            return None
        try:
            frame = _parse_frame(text)
            if frame["type"] != "auth":
                raise FrameError("auth_required", 'Send {"type": "auth", "token": ...} first.')
            return await _resolve_token(frame, state)
        except FrameError as exc:
            await websocket.send_text(
                encode({"type": "error", "id": None, "code": exc.code, "detail": exc.detail})
            )
        except AppError as exc:
            await websocket.send_text(
                encode({"type": "error", "id": None, "code": "unauthorized", "detail": exc.detail})
            )
            await _close(websocket, CLOSE_SESSION_ENDED, "invalid session")
            return None
        except Exception:
            # Our storage failed, not the client: say so and let it retry rather than drop the socket.
            logger.warning("WebSocket authentication could not be checked", exc_info=True)
            await _close(websocket, CLOSE_TRY_AGAIN_LATER, "try again later")
            return None


async def _resolve_token(frame: dict[str, Any], state: AppState) -> Principal:
    token = frame.get("token")
    if not isinstance(token, str) or not token or len(token) > 256:
        raise FrameError("auth_required", "The auth frame needs your session 'token'.")
    sessions = SessionService(state.kv, state.settings.session_ttl_days, state.session_cache)
    return await sessions.resolve(state.db, token)


async def _receive_text(websocket: WebSocket, state: AppState, timeout: float) -> str | None:
    """The next text frame, or None when the peer left, went quiet too long or sent too much."""
    try:
        # Not asyncio.wait_for: on Python 3.11 it wraps every receive in a new Task, and every socket
        # receives at least an app ping each 20 s (thousands of frames a second at 20,000 sockets).
        async with asyncio.timeout(timeout):
            message = await websocket.receive()
    except (TimeoutError, WebSocketDisconnect, RuntimeError):
        return None
    if message["type"] == "websocket.disconnect":
        return None
    text = message.get("text")
    if text is None:
        text = (message.get("bytes") or b"").decode("utf-8", errors="replace")
    if len(text) > state.settings.ws_max_frame_bytes:
        await _close(websocket, CLOSE_TOO_BIG, "frame too large")
        return None
    return str(text)


async def _serve(connection: Connection, state: AppState) -> None:
    strikes = 0
    bucket = TokenBucket(state.settings.ws_rate_limit)
    while connection.close_code is None:
        text = await _receive_text(connection.websocket, state, state.settings.ws_idle_timeout_seconds)
        if text is None:
            return
        if not bucket.take():
            strikes += 1
            state.metrics.rate_limited.labels("ws").inc()
            if strikes > MAX_RATE_LIMIT_STRIKES:
                connection.close(CLOSE_POLICY, "too many messages")
                return
            connection.send_frame(
                {
                    "type": "error",
                    "id": None,
                    "code": "rate_limited",
                    "detail": "Slow down: too many messages.",
                }
            )
            continue
        await _handle(connection, text, state)


async def _handle(connection: Connection, text: str, state: AppState) -> None:
    frame_id: Any = None
    try:
        frame = _parse_frame(text)
        frame_id = frame.get("id")
        state.metrics.ws_messages.labels("in", _known_type(frame["type"], state.hub)).inc()
        await _dispatch(connection, frame, state.hub)
    except FrameError as exc:
        connection.send_frame({"type": "error", "id": frame_id, "code": exc.code, "detail": exc.detail})
    except AppError as exc:
        connection.send_frame({"type": "error", "id": frame_id, "code": exc.kind, "detail": exc.detail})
    except KV_UNAVAILABLE as exc:  # an outage, not a bug: the WebSocket twin of the HTTP 503
        logger.warning("WebSocket frame refused, KV unavailable: %s", type(exc).__name__)
        connection.send_frame({"type": "error", "id": frame_id, "code": "unavailable", "detail": KV_DOWN})
    except Exception:
        logger.exception("WebSocket frame handler failed")
        connection.send_frame(
            {
                "type": "error",
                "id": frame_id,
                "code": "internal",
                "detail": "Something went wrong on our side.",
            }
        )


_BUILTIN_TYPES = frozenset({"ping", "subscribe", "unsubscribe", "auth"})


def _known_type(frame_type: str, hub: Hub) -> str:
    # Metric labels must stay bounded: unknown types are counted together.
    known = frame_type in _BUILTIN_TYPES or frame_type in CHAT_FRAME_TYPES or hub.handler_for(frame_type)
    return frame_type if known else "unknown"


async def _dispatch(connection: Connection, frame: dict[str, Any], hub: Hub) -> None:
    frame_type, frame_id = frame["type"], frame.get("id")
    if frame_type == "ping":
        connection.send_frame({"type": "pong", "id": frame_id})
    elif frame_type in ("subscribe", "unsubscribe"):
        await _change_subscription(connection, frame, hub)
    elif frame_type == "auth":
        raise FrameError("already_authenticated", "This socket is already signed in.")
    elif frame_type in CHAT_FRAME_TYPES:
        await handle_chat_frame(connection, frame)  # tutor/ws.py
    elif (handler := hub.handler_for(frame_type)) is not None:
        await handler(connection, frame)
    else:
        raise FrameError("unknown_type", f"Unknown frame type {frame_type[:40]!r}.")


async def _change_subscription(connection: Connection, frame: dict[str, Any], hub: Hub) -> None:
    channel = frame.get("channel")
    if not isinstance(channel, str):
        raise FrameError("bad_frame", "'channel' must be a string.")
    if frame["type"] == "unsubscribe":
        await hub.leave(connection, channel)
        connection.send_frame({"type": "unsubscribed", "id": frame.get("id"), "channel": channel})
        return
    problem = authorization_error(channel, connection.principal)
    if problem is not None:
        raise FrameError(*problem)
    await hub.join(connection, channel)
    connection.send_frame({"type": "subscribed", "id": frame.get("id"), "channel": channel})


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    if websocket.client_state == WebSocketState.CONNECTED:
        # Bounded: the server's send waits while the peer is not reading.
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLOSE_GRACE_SECONDS):
                await websocket.close(code, reason)
