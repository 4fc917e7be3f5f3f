"""Wallet sign-in fixtures: one real EVM and its JSON-RPC server for the whole run, and SIWE helpers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from eth_account.messages import encode_defunct

from eaili5.models.base import utcnow
from tests.auth.evm import Chain, RpcServer, start_chain
from tests.conftest import auth

DOMAIN = "127.0.0.1:8000"
URI = "http://127.0.0.1:8000"


@pytest.fixture(scope="session")
def chain() -> Chain:
    return start_chain()


@pytest.fixture(scope="session")
def rpc_url(chain: Chain) -> Iterator[str]:
    with RpcServer(chain) as server:
        yield server.url


def wallet_overrides(rpc_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "base_rpc_url": rpc_url,
        "base_sepolia_rpc_url": rpc_url,
        "rate_limit_auth_nonce": "100000/minute",
        "rate_limit_auth_verify": "100000/minute",
        **extra,
    }


def _stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def siwe_message(
    address: str,
    nonce: str,
    *,
    domain: str = DOMAIN,
    uri: str = URI,
    chain_id: int = 8453,
    version: str = "1",
    issued_at: datetime | None = None,
    expiration: datetime | None = None,
    not_before: datetime | None = None,
    statement: str | None = "Sign in to EAILI5.",
) -> str:
    lines = [f"{domain} wants you to sign in with your Ethereum account:", address, ""]
    if statement is not None:
        lines += [statement, ""]
    lines += [f"URI: {uri}", f"Version: {version}", f"Chain ID: {chain_id}", f"Nonce: {nonce}"]
    lines.append(f"Issued At: {_stamp(issued_at or utcnow())}")
    if expiration is not None:
        lines.append(f"Expiration Time: {_stamp(expiration)}")
    if not_before is not None:
        lines.append(f"Not Before: {_stamp(not_before)}")
    return "\n".join(lines)


def personal_sign(key: Any, message: str) -> bytes:
    return bytes(key.sign_message(encode_defunct(text=message)).signature)


def hex0x(data: bytes) -> str:
    return "0x" + data.hex()


async def get_nonce(client: httpx.AsyncClient, token: str) -> str:
    response = await client.get("/api/auth/nonce", headers=auth(token))
    assert response.status_code == 200, response.text
    return str(response.json()["nonce"])


async def verify(client: httpx.AsyncClient, token: str, message: str, signature: bytes) -> httpx.Response:
    body = {"message": message, "signature": hex0x(signature)}
    return await client.post("/api/auth/verify", json=body, headers=auth(token))


async def sign_in(client: httpx.AsyncClient, token: str, key: Any, **message_options: Any) -> httpx.Response:
    """The whole flow with a plain key: nonce, message, personal_sign, verify."""
    nonce = await get_nonce(client, token)
    message = siwe_message(key.address, nonce, **message_options)
    return await verify(client, token, message, personal_sign(key, message))


def refused(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["error"] == "SignInFailed" and body["reason"] == reason, body
    assert body["detail"]


__all__ = ["timedelta"]
