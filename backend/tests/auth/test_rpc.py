"""The eth_call client against a loopback node that misbehaves the ways real providers do."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest

from eaili5.auth.rpc import EthRpc
from eaili5.core.errors import UpstreamError


class _Node(BaseHTTPRequestHandler):
    replies: list[tuple[int, bytes]]
    seen: list[dict[str, Any]]

    def do_POST(self) -> None:
        self.seen.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        status, body = self.replies.pop(0)
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def node() -> Iterator[tuple[str, list[tuple[int, bytes]], list[dict[str, Any]]]]:
    replies: list[tuple[int, bytes]] = []
    seen: list[dict[str, Any]] = []
    handler = type("Node", (_Node,), {"replies": replies, "seen": seen})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", replies, seen
    server.shutdown()
    server.server_close()


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": 1, **body}).encode()


async def test_results_reverts_and_failures(
    node: tuple[str, list[tuple[int, bytes]], list[dict[str, Any]]],
) -> None:
    url, replies, seen = node
    replies += [
        (200, _json({"result": "0x1626ba7e" + "00" * 28})),
        (200, _json({"error": {"code": 3, "message": "execution reverted", "data": "0x"}})),
        (200, _json({"error": {"code": -32000, "message": "execution reverted: nope"}})),
        (200, _json({"error": {"code": -32005, "message": "rate limit exceeded"}})),
        (502, b"<html>bad gateway</html>"),
        (200, _json({"result": "0xzz"})),
    ]
    async with httpx.AsyncClient() as http:
        rpc = EthRpc(http, url, 2.0)
        assert (await rpc.call(b"\x01\x02", to="0x" + "11" * 20))[:4] == bytes.fromhex("1626ba7e")  # type: ignore[index]
        assert seen[0]["method"] == "eth_call"
        assert seen[0]["params"] == [{"data": "0x0102", "to": "0x" + "11" * 20}, "latest"]
        assert await rpc.call(b"") is None  # a revert is the contract's answer
        assert await rpc.call(b"") is None
        for _ in range(3):  # the node's own trouble is ours to report, clearly
            with pytest.raises(UpstreamError, match="Base network"):
                await rpc.call(b"")


async def test_an_unreachable_node_is_an_upstream_error() -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(UpstreamError, match="could not reach"):
            await EthRpc(http, "http://127.0.0.1:9", 1.0).call(b"")
