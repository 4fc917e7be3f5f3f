"""Writing one pre-built WebSocket frame straight to many sockets (the broadcast fast path).

A server's frames are never masked (RFC 6455 §5.1), and we do not negotiate compression, so the bytes of a
broadcast frame are the same for every subscriber. Building them once and handing them to each socket's
transport skips, per socket, Starlette's `send_text`, the ASGI hop into uvicorn, the protocol's frame
serialization and a timer: that per-socket Python path was most of the cost of a tick at thousands of
subscribers (see bench/market_fanout/REPORT.md).

Only uvicorn's `websockets-sansio` protocol (its default with `websockets` installed) is driven this way,
recognised by the attributes we rely on; with any other server or protocol, `RawSocket.for_websocket`
returns None and frames go through the normal ASGI path.
"""

from __future__ import annotations

import asyncio
import struct
from typing import Any, Protocol, cast

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

_FIN_TEXT = 0x81
# Above this many bytes waiting in the kernel-side buffer of one socket, the broadcast stops writing to it
# directly and lets the connection's own queue deal with the slow reader.
MAX_BUFFERED_BYTES = 256 * 1024


def text_frame(payload: bytes) -> bytes:
    """The unmasked, unfragmented wire frame for one UTF-8 text message."""
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", _FIN_TEXT, length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", _FIN_TEXT, 126, length)
    else:
        header = struct.pack("!BBQ", _FIN_TEXT, 127, length)
    return header + payload


class _SansIOProtocol(Protocol):
    """What we use of uvicorn's WebSocketsSansIOProtocol."""

    transport: asyncio.Transport
    writable: asyncio.Event
    handshake_complete: bool
    close_sent: bool
    disconnected: bool
    conn: Any


SERVER_SEND_SCOPE_KEY = "eaili5.server_send"


class ServerSendMiddleware:
    """Outermost middleware: remembers the server's own `send` of each WebSocket for RawSocket."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SERVER_SEND_SCOPE_KEY] = send
        await self.app(scope, receive, send)


_REQUIRED = ("transport", "writable", "handshake_complete", "close_sent", "disconnected", "conn")


class RawSocket:
    def __init__(self, protocol: _SansIOProtocol) -> None:
        self._protocol = protocol

    @classmethod
    def for_websocket(cls, websocket: WebSocket) -> RawSocket | None:
        # uvicorn's ASGI `send` is a bound method of its protocol. Starlette wraps `send` on the way to the
        # endpoint, so ServerSendMiddleware keeps the server's own one in the scope.
        protocol: Any = getattr(websocket.scope.get(SERVER_SEND_SCOPE_KEY), "__self__", None)
        if type(protocol).__name__ != "WebSocketsSansIOProtocol":
            return None
        if not all(hasattr(protocol, name) for name in _REQUIRED):
            return None
        if getattr(protocol.conn, "extensions", None):  # e.g. permessage-deflate: the library frames
            return None
        return cls(cast(_SansIOProtocol, protocol))

    def try_write(self, frame: bytes) -> bool:
        """Write `frame` now if the socket is open and keeping up; False means use the slow path."""
        protocol = self._protocol
        transport = protocol.transport
        if (
            not protocol.handshake_complete
            or protocol.close_sent
            or transport.is_closing()
            or not protocol.writable.is_set()  # the transport asked us to pause writing
            or transport.get_write_buffer_size() > MAX_BUFFERED_BYTES
        ):
            return False
        transport.write(frame)
        return True

    def abort(self) -> None:
        """Drop the TCP connection now, discarding unsent bytes, unless it is already gone."""
        if not self._protocol.disconnected:
            self._protocol.transport.abort()
