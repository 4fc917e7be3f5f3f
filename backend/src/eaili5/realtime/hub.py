"""The WebSocket hub of one instance: its connections, their channels, and cross-instance fan-out.

Every published message goes through the KV pub/sub (Redis in production), so a message published
by any instance reaches subscribers on every instance. Each instance subscribes to a channel only
while at least one of its local sockets wants it, and encodes each frame once for all its sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketState

from eaili5.auth.service import CONTROL_CHANNEL, Principal
from eaili5.core.kv import KV
from eaili5.core.metrics import Metrics
from eaili5.core.settings import Settings
from eaili5.core.tasks import stop_task
from eaili5.realtime.wire import RawSocket, text_frame

logger = logging.getLogger(__name__)

PRESENCE_EVERY_SECONDS = 10.0
PRESENCE_TTL_SECONDS = 30.0
PRESENCE_COALESCE_SECONDS = 0.2
CLOSE_SESSION_ENDED = 4401
CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_SERVICE_RESTART = 1012
# How long a broadcast waits on one socket whose peer is not reading before moving on.
DIRECT_SEND_GRACE_SECONDS = 0.05
# Yield to the event loop every so many sockets so a big broadcast does not starve requests.
BROADCAST_SLICE = 256

FrameHandler = Callable[["Connection", dict[str, Any]], Awaitable[None]]


def encode(frame: dict[str, Any]) -> str:
    return orjson.dumps(frame).decode()


class Connection:
    """One authenticated socket.

    Frames are written straight to the socket's transport whenever nothing of ours is waiting for
    it: broadcasts from the fan-out loop (no task switch per socket: at thousands of subscribers
    that switching was most of the cost) and replies such as `pong` (no queue, no wake-up of a
    writer task, no trip through Starlette and uvicorn's send). A socket whose peer stops reading
    gets a bounded backlog drained by a writer task, started the first time one is needed, so it
    never stalls anyone else; one that falls too far behind is disconnected.
    """

    def __init__(self, websocket: WebSocket, principal: Principal, queue_size: int) -> None:
        self.id = uuid.uuid4().hex[:16]
        self.websocket = websocket
        self.principal = principal
        self.channels: set[str] = set()
        self._queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=queue_size)
        # Most sockets never build a backlog: no task (and its memory) until one does.
        self._writer: asyncio.Task[None] | None = None
        self.close_code: int | None = None
        self._close_reason = ""
        self._closer: asyncio.Task[None] | None = None
        self._writing = False  # a direct send or the writer is on the wire right now
        self._raw = RawSocket.for_websocket(websocket)

    @property
    def writer_started(self) -> bool:
        """Whether this socket ever needed its backlog writer (most never do)."""
        return self._writer is not None

    @property
    def has_backlog(self) -> bool:
        """Frames are waiting (or being sent) on the slow path: later frames must queue behind them."""
        return self._writing or not self._queue.empty()

    def write_broadcast_now(self, wire_frame: bytes) -> bool:
        """The fast path: put an already-framed broadcast on the wire without awaiting anything.

        Only when nothing of ours is in flight or queued for this socket (frames must keep their
        order); False means the caller falls back to `deliver`.
        """
        if self._raw is None or self.close_code is not None or self.has_backlog:
            return False
        return self._raw.try_write(wire_frame)

    async def deliver(self, text: str) -> None:
        """Send a broadcast frame now if the socket is idle; otherwise queue it behind the backlog."""
        if self.close_code is not None:
            return
        if self.has_backlog:
            self.send(text)  # keep frame order behind what is already waiting
            return
        self._writing = True
        try:
            async with asyncio.timeout(DIRECT_SEND_GRACE_SECONDS):
                await self.websocket.send_text(text)
        except TimeoutError:
            self._enqueue(text)  # the peer's buffer is full: let the writer wait for it, not the broadcast
        except Exception:  # the peer went away; the reader notices and cleans up
            logger.debug("direct send to %s failed", self.id, exc_info=True)
        finally:
            self._writing = False

    def send(self, text: str) -> None:
        """Send one frame: on the wire now if the socket keeps up, else behind its backlog."""
        if self.close_code is not None:
            return
        if self._raw is not None and not self.has_backlog and self._raw.try_write(text_frame(text.encode())):
            return
        self._enqueue(text)

    def _enqueue(self, text: str) -> None:
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            logger.warning("closing slow WebSocket consumer %s", self.id)
            self.close(CLOSE_TRY_AGAIN_LATER, "too slow to keep up")
            return
        self._start_writer()

    def _start_writer(self) -> None:
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(
                self._write_forever(), name=f"ws-writer-{self.id}"
            )

    def send_frame(self, frame: dict[str, Any]) -> None:
        self.send(encode(frame))

    def close(self, code: int, reason: str = "") -> None:
        """Close after the frames already queued are sent."""
        if self.close_code is not None:
            return
        self.close_code, self._close_reason = code, reason
        try:
            self._queue.put_nowait(None)
        except asyncio.QueueFull:
            # Too far behind to flush politely: drop what is queued and close now.
            if self._writer is not None:
                self._writer.cancel()
            self._closer = asyncio.get_running_loop().create_task(self._close_socket())
            return
        self._start_writer()

    async def _write_forever(self) -> None:
        try:
            while (text := await self._queue.get()) is not None:
                self._writing = True
                try:
                    await self.websocket.send_text(text)
                finally:
                    self._writing = False
            await self._close_socket()
        except Exception:  # the peer went away mid-send; the reader notices and cleans up
            logger.debug("WebSocket writer %s stopped", self.id, exc_info=True)

    async def _close_socket(self) -> None:
        if self.websocket.client_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await self.websocket.close(self.close_code or 1000, self._close_reason)

    def cut_off_later(self, delay: float) -> None:
        """Drop the TCP connection after `delay` seconds unless it has closed by then (its peer answered our
        close frame). Only where we reach the transport (see wire.RawSocket); elsewhere the server decides."""
        if self._raw is not None:
            asyncio.get_running_loop().call_later(delay, self._raw.abort)

    async def drain(self) -> None:
        """Stop the writer; called once the socket is finished."""
        if self._writer is None:
            return
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._writer


class Hub:
    def __init__(self, kv: KV, settings: Settings, metrics: Metrics) -> None:
        self.kv, self.settings, self.metrics = kv, settings, metrics
        self.connections: dict[str, Connection] = {}
        self._members: dict[str, set[Connection]] = defaultdict(set)
        self._handlers: dict[str, FrameHandler] = {}
        self._presence_task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._presence_changed = asyncio.Event()
        self._join_lock = asyncio.Lock()

    # --- lifecycle ----------------------------------------------------------------------
    async def start(self) -> None:
        await self.kv.subscribe(CONTROL_CHANNEL, self._on_control)
        self._presence_task = asyncio.create_task(self._report_presence_forever(), name="ws-presence")

    async def stop(self) -> None:
        self._stopping.set()
        self._presence_changed.set()
        if self._presence_task:
            await stop_task(self._presence_task)
        for connection in list(self.connections.values()):
            connection.close(CLOSE_SERVICE_RESTART, "server restarting")
        with contextlib.suppress(Exception):
            await self.kv.delete(self._presence_key)
            await self.kv.unsubscribe(CONTROL_CHANNEL, self._on_control)

    # --- connections and channels ---------------------------------------------------------
    def register(self, connection: Connection) -> None:
        self.connections[connection.id] = connection
        self.metrics.ws_active.set(len(self.connections))
        self._presence_changed.set()

    async def unregister(self, connection: Connection) -> None:
        self.connections.pop(connection.id, None)
        self.metrics.ws_active.set(len(self.connections))
        self._presence_changed.set()
        for channel in list(connection.channels):
            await self.leave(connection, channel)
        await connection.drain()

    async def join(self, connection: Connection, channel: str) -> None:
        async with self._join_lock:  # the first local member subscribes the instance, exactly once
            members = self._members[channel]
            if not members:
                await self.kv.subscribe(channel, self._on_message)
            members.add(connection)
        connection.channels.add(channel)

    async def leave(self, connection: Connection, channel: str) -> None:
        connection.channels.discard(channel)
        async with self._join_lock:
            members = self._members.get(channel)
            if members is None or connection not in members:
                return
            members.discard(connection)
            if not members:
                del self._members[channel]
                await self.kv.unsubscribe(channel, self._on_message)

    async def publish(self, channel: str, data: dict[str, Any]) -> None:
        """Send `data` to every subscriber of `channel` on every instance."""
        frame = encode({"type": "message", "channel": channel, "data": data})
        await self.kv.publish(channel, frame.encode())

    async def _on_message(self, channel: str, payload: bytes) -> None:
        # Encoded once by the publisher and framed once here, then written as-is to every socket.
        members = list(self._members.get(channel, ()))
        if not members:
            return
        started = time.perf_counter()
        wire_frame, text = text_frame(payload), None
        fast = 0
        for position, connection in enumerate(members, start=1):
            if connection.write_broadcast_now(wire_frame):
                fast += 1
            else:
                text = text if text is not None else payload.decode()
                await connection.deliver(text)
            if position % BROADCAST_SLICE == 0:
                await asyncio.sleep(0)
        if fast:
            self.metrics.ws_broadcast_fast.inc(fast)
        self.metrics.ws_broadcast_seconds.observe(time.perf_counter() - started)

    async def _on_control(self, _: str, payload: bytes) -> None:
        message = orjson.loads(payload)
        if message.get("action") == "session_ended":
            self._close_session(message.get("session_id", ""))

    def _close_session(self, session_id: str) -> None:
        for connection in list(self.connections.values()):
            if str(connection.principal.session_id) == session_id:
                connection.send_frame({"type": "session_ended", "detail": "This session was ended."})
                connection.close(CLOSE_SESSION_ENDED, "session ended")

    # --- frame handlers registered by domains ----------------------------------------------
    def on(self, frame_type: str, handler: FrameHandler) -> None:
        if frame_type in self._handlers:
            raise ValueError(f"a handler for {frame_type!r} frames is already registered")
        self._handlers[frame_type] = handler

    def handler_for(self, frame_type: str) -> FrameHandler | None:
        return self._handlers.get(frame_type)

    # --- presence: connections per instance and in total ------------------------------------
    @property
    def _presence_key(self) -> str:
        return f"ws:instance:{self.settings.instance_id}"

    async def _report_presence_forever(self) -> None:
        # Stopped by an event, not by cancel(): redis-py may swallow a cancel mid-command.
        while not self._stopping.is_set():
            try:
                await self.report_presence()
            except Exception:
                logger.warning("could not report WebSocket presence", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._presence_changed.wait(), PRESENCE_EVERY_SECONDS)
            self._presence_changed.clear()
            await asyncio.sleep(PRESENCE_COALESCE_SECONDS)  # one write for a burst of connects

    async def report_presence(self) -> dict[str, int]:
        """Write this instance's count (with a TTL, so dead instances drop out) and read all."""
        await self.kv.set(self._presence_key, str(len(self.connections)).encode(), PRESENCE_TTL_SECONDS)
        counts = {name.rsplit(":", 1)[-1]: int(v) for name, v in (await self.kv.scan("ws:instance:")).items()}
        self.metrics.ws_cluster.set(sum(counts.values()))
        return counts
