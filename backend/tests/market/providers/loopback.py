"""A real HTTP/1.1 server on 127.0.0.1 that plays a vendor, for adapter tests without mocks.

The production adapters talk to it over TCP through a real `httpx.AsyncClient`. Routes answer with
hand-written fixtures in the vendor's documented wire format; `fail_next` makes the next requests
misbehave (429 with Retry-After, 500, a hang past the client's timeout, malformed JSON). Every request
is recorded, so tests can assert the exact paths, query parameters, headers and bodies sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

FIXTURES = Path(__file__).parent / "fixtures"
_REASONS = {
    200: "OK",
    404: "Not Found",
    401: "Unauthorized",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@dataclass
class Recorded:
    method: str
    path: str  # percent-decoded
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lowercased
    body: bytes

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-encoded unless bytes/str
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a hang, when longer than the client's timeout)

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


Handler = Callable[[Recorded, re.Match[str]], Reply]

RATE_LIMITED = Reply(
    429, {"status": {"error_code": 429, "error_message": "Rate limited"}}, {"Retry-After": "17"}
)
SERVER_ERROR = Reply(500, {"errors": [{"status": "500", "title": "Internal server error"}]})
MALFORMED = Reply(200, b'{"data": [{"id": "base_0x', {"Content-Type": "application/json"})
HANG = Reply(200, {}, delay=30.0)


class LoopbackVendor:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._failures: list[Reply] = []
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._stopping = asyncio.Event()
        self.port = 0

    # -- configuration ------------------------------------------------------------------------------
    def route(self, method: str, path_pattern: str, answer: Reply | Handler) -> None:
        """Answer requests whose decoded path fully matches `path_pattern` (a regex)."""
        handler: Handler = answer if callable(answer) else (lambda _request, _match, reply=answer: reply)
        self._routes.append((method, re.compile(path_pattern), handler))

    def fail_next(self, *replies: Reply) -> None:
        """The next requests get these replies, in order, whatever their route."""
        self._failures.extend(replies)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- lifecycle ----------------------------------------------------------------------------------
    async def start(self) -> None:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        # Wake hanging handlers and drop open connections rather than cancelling handler tasks: asyncio
        # (3.11) logs a spurious error for a cancelled connection callback.
        self._stopping.set()
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        if self._server is not None:
            await self._server.wait_closed()

    # -- HTTP/1.1 -----------------------------------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        try:
            while not self._stopping.is_set() and await self._exchange(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            self._tasks.discard(task)  # last: `stop` waits for this task until the socket is closed

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _version = request_line.split(" ", 2)
        headers = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        split = urlsplit(target)
        recorded = Recorded(method, unquote(split.path), parse_qs(split.query), headers, body)
        self.requests.append(recorded)
        reply = self._answer(recorded)
        if reply.delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), reply.delay)
            if self._stopping.is_set():
                return False
        payload = reply.encoded()
        response_headers = {
            "Content-Type": "application/json",
            **reply.headers,
            "Content-Length": str(len(payload)),
        }
        lines = [f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Status')}"]
        lines += [f"{name}: {value}" for name, value in response_headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)
        await writer.drain()
        return headers.get("connection", "").lower() != "close"

    def _answer(self, request: Recorded) -> Reply:
        if self._failures:
            return self._failures.pop(0)
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(request.path)
            if method == request.method and match:
                return handler(request, match)
        return Reply(404, {"errors": [{"status": "404", "title": "Not Found"}]})
