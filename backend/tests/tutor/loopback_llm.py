"""A real HTTP/1.1 server on 127.0.0.1 that plays an OpenAI-compatible chat completions API.

`POST /v1/chat/completions` with `stream: true` answers `text/event-stream` (chunked), one `data: {json}`
event per chunk, separated by blank lines, ending with `data: [DONE]` — the format in REFERENCE.md.
Each request takes the next queued `Script`: chunks, pauses, an error event mid-stream, or a cut
connection. Requests are recorded (headers and JSON body), and the server notices when the client
closes the stream (`disconnects`), which is how a client stops generation.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

MODEL = "loopback-model"


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class ErrorEvent:
    """An error object in the stream, as providers send when generation fails midway."""

    message: str = "The server had an error while processing your request."


@dataclass(frozen=True)
class Cut:
    """Drop the TCP connection without finishing the chunked body."""


Step = dict[str, Any] | Pause | ErrorEvent | Cut


@dataclass
class Script:
    steps: list[Step] = field(default_factory=list)
    status: int = 200  # anything else answers a JSON error body instead of a stream
    done: bool = True  # send `data: [DONE]` after the steps


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def chunk(
    delta: dict[str, Any], finish_reason: str | None = None, *, chunk_id: str = "chatcmpl-1"
) -> dict[str, Any]:
    return {
        "id": chunk_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def text(*pieces: str, finish: bool = True) -> list[Step]:
    """A plain answer streamed in `pieces`: a role chunk, the text chunks, the finish chunk."""
    steps: list[Step] = [chunk({"role": "assistant", "content": ""})]
    steps += [chunk({"content": piece}) for piece in pieces]
    if finish:
        steps.append(chunk({}, "stop"))
    return steps


def tool_call(call_id: str, name: str, argument_fragments: list[str], index: int = 0) -> list[Step]:
    """One tool call split across chunks: id and name first, then the arguments in fragments."""
    first = {"index": index, "id": call_id, "type": "function", "function": {"name": name, "arguments": ""}}
    steps: list[Step] = [chunk({"role": "assistant", "content": None, "tool_calls": [first]})]
    for fragment in argument_fragments:
        steps.append(chunk({"tool_calls": [{"index": index, "function": {"arguments": fragment}}]}))
    return steps


def finish(reason: str) -> Step:
    return chunk({}, reason)


def usage(prompt_tokens: int = 42, completion_tokens: int = 7) -> Step:
    """The final chunk with empty `choices` that `stream_options.include_usage` asks for."""
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


class LoopbackLLM:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.scripts: list[Script] = []
        self.default = Script([*text("Hello from the loopback model."), usage()])
        self.disconnects = 0  # streams the client closed before the server finished them
        self.disconnected = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    def enqueue(self, *scripts: Script) -> None:
        self.scripts.extend(scripts)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        if self._server is not None:
            await self._server.wait_closed()

    async def wait_for_disconnect(self, timeout: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.disconnected.wait(), timeout)
        return self.disconnected.is_set()

    # -- HTTP/1.1 -----------------------------------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        try:
            while await self._exchange(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            self._tasks.discard(task)

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        _method, target, _version = request_line.split(" ", 2)
        headers = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        raw = await reader.readexactly(int(headers.get("content-length", "0")))
        body = json.loads(raw) if raw else {}
        self.requests.append(Request(target, headers, body))
        script = self.scripts.pop(0) if self.scripts else self.default
        if script.status != 200:
            payload = json.dumps({"error": {"message": "upstream trouble", "type": "server_error"}}).encode()
            writer.write(
                _head(
                    script.status, {"Content-Type": "application/json", "Content-Length": str(len(payload))}
                )
            )
            writer.write(payload)
            await writer.drain()
            return True
        writer.write(_head(200, {"Content-Type": "text/event-stream", "Transfer-Encoding": "chunked"}))
        await writer.drain()
        return await self._stream(script, reader, writer)

    async def _stream(
        self, script: Script, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        gone = asyncio.Event()
        watcher = asyncio.create_task(_watch_eof(reader, gone))
        try:
            for step in script.steps:
                if gone.is_set():
                    return self._client_left()
                if isinstance(step, Pause):
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(gone.wait(), step.seconds)
                    continue
                if isinstance(step, Cut):
                    writer.transport.abort()
                    return False
                if isinstance(step, ErrorEvent):
                    event = {"error": {"message": step.message, "type": "server_error"}}
                    await _send_chunk(writer, b"data: " + json.dumps(event).encode() + b"\n\n")
                    continue
                await _send_chunk(writer, b"data: " + json.dumps(step).encode() + b"\n\n")
            if gone.is_set():
                return self._client_left()
            if script.done:
                await _send_chunk(writer, b"data: [DONE]\n\n")
            await _send_chunk(writer, b"")  # the last chunk of the chunked body
            return True
        except ConnectionError:
            return self._client_left()
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    def _client_left(self) -> bool:
        self.disconnects += 1
        self.disconnected.set()
        return False


async def _watch_eof(reader: asyncio.StreamReader, gone: asyncio.Event) -> None:
    # A client that stops reading a stream closes its connection: the read end sees EOF.
    with contextlib.suppress(ConnectionError):
        while await reader.read(1024):
            pass
    gone.set()


async def _send_chunk(writer: asyncio.StreamWriter, data: bytes) -> None:
    writer.write(b"%x\r\n%s\r\n" % (len(data), data))
    await writer.drain()


def _head(status: int, headers: dict[str, str]) -> bytes:
    reason = {200: "OK", 500: "Internal Server Error", 429: "Too Many Requests"}.get(status, "Status")
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
