"""Logs never carry secrets: run typical flows with every log record captured, then scan them for
session tokens (and their hashes), wallet signatures, bearer headers and API keys."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
from typing import Any

import httpx
import pytest
from eth_account import Account
from websockets.asyncio.client import connect

from eaili5.core.logging import _CloudJsonFormatter, quiet_payload_loggers
from tests.auth.conftest import get_nonce, hex0x, personal_sign, siwe_message, wallet_overrides
from tests.conftest import LiveServer, auth

pytestmark = pytest.mark.fuzz
WETH = "0x4200000000000000000000000000000000000006"
# Keys for vendors this test never calls (no market sources are enabled): they only have to stay unlogged.
COINGECKO_KEY = "cg-" + secrets.token_hex(12)
BITQUERY_KEY = "bq-" + secrets.token_hex(12)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    # An unreachable RPC: plain-key signatures are checked locally and never call it.
    return wallet_overrides(
        "http://127.0.0.1:9",
        coingecko_api_key=COINGECKO_KEY,
        bitquery_api_key=BITQUERY_KEY,
        log_level="DEBUG",
    )


class Captured(logging.Handler):
    """Every record, rendered the way production renders it (JSON with the extra fields)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(_CloudJsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("websockets.client"):
            return  # the test's own client, not the server
        self.lines.append(self.format(record))


async def typical_flows(server: LiveServer) -> list[str]:
    """Sessions, profile, chat over HTTP and WebSocket, a trade, wallet sign-in, sign-out, bad tokens.
    Returns every secret the flows handled."""
    handled: list[str] = []
    async with httpx.AsyncClient(base_url=server.http_url, timeout=30) as http:
        token = (await http.post("/api/session", headers={"User-Agent": "scan/1.0"})).json()["token"]
        handled.append(token)
        await http.get("/api/me", headers=auth(token))
        await http.patch("/api/me/preferences", json={"reading_level": "eli5"}, headers=auth(token))
        await http.post("/api/chat", json={"text": "What is a wallet?"}, headers=auth(token))
        order = {"type": "market", "side": "buy", "token": WETH, "usd_amount": "2"}
        await http.post("/api/portfolio/orders", json=order, headers={**auth(token), "Idempotency-Key": "k1"})
        await _websocket_chat(server, token)
        key = Account.create()
        message = siwe_message(key.address, await get_nonce(http, token))
        signature = hex0x(personal_sign(key, message))
        handled.append(signature)
        signed = await http.post(
            "/api/auth/verify", json={"message": message, "signature": signature}, headers=auth(token)
        )
        assert signed.status_code == 200, signed.text
        wallet_token = signed.json()["token"]
        handled.append(wallet_token)
        await http.get("/api/auth/sessions", headers=auth(wallet_token))
        await http.post("/api/auth/logout", headers=auth(wallet_token))
        await http.get("/api/me", headers=auth(wallet_token))  # now refused: logged as a 401
        await http.get("/api/me", headers={"Authorization": "Bearer " + "forged" * 5})
        await http.get("/api/me?token=" + token)  # a token in a query string must not reach the logs
    return handled


async def _websocket_chat(server: LiveServer, token: str) -> None:
    async with connect(server.ws_url) as ws:
        await ws.send(json.dumps({"type": "auth", "token": token}))
        await ws.recv()
        await ws.send(json.dumps({"type": "chat.send", "id": "c", "text": "What is gas?"}))
        while json.loads(await asyncio.wait_for(ws.recv(), 30))["type"] != "chat.done":
            pass


async def test_logs_hold_no_tokens_signatures_or_keys(live_server: LiveServer) -> None:
    captured = Captured()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(captured)
    root.setLevel(logging.DEBUG)  # the most an operator can turn on: LOG_LEVEL=DEBUG
    quiet_payload_loggers()  # what configure_logging does at start-up in every deployment
    try:
        handled = await typical_flows(live_server)
    finally:
        root.removeHandler(captured)
        root.setLevel(previous)
    assert len(captured.lines) > 10, "the flows should have logged something (access logs at least)"
    forbidden = [
        *handled,
        *(hashlib.sha256(t.encode()).hexdigest() for t in handled),
        COINGECKO_KEY,
        BITQUERY_KEY,
    ]
    forbidden += [value[2:] for value in handled if value.startswith("0x")]  # a signature without 0x
    text = "\n".join(captured.lines)
    leaks = [value[:12] + "…" for value in forbidden if value in text]
    assert not leaks, f"secrets in the logs: {leaks}"
    assert "bearer " not in text.lower() and "authorization" not in text.lower()
