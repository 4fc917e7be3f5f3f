"""Sign-In with Ethereum with plain keys: success, and every refusal with its own reason (changing nothing)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from eth_account import Account
from sqlalchemy import func, select

from eaili5.auth.errors import SignInFailed
from eaili5.auth.siwe import parse_message
from eaili5.models import Session, User
from eaili5.models.base import utcnow
from tests.auth.conftest import (
    get_nonce,
    personal_sign,
    refused,
    sign_in,
    siwe_message,
    verify,
    wallet_overrides,
)
from tests.conftest import auth, new_guest


@pytest.fixture
def settings_overrides(rpc_url: str) -> dict[str, Any]:
    return wallet_overrides(rpc_url)


async def _counts(app: Any) -> tuple[int, int, int]:
    async with app.state.eaili5.db.transaction() as db:
        users = await db.scalar(select(func.count()).select_from(User))
        wallets = await db.scalar(
            select(func.count()).select_from(User).where(User.wallet_address.is_not(None))
        )
        sessions = await db.scalar(select(func.count()).select_from(Session))
    return int(users or 0), int(wallets or 0), int(sessions or 0)


async def test_a_guest_signs_in_with_a_key_and_becomes_the_wallet_user(
    client: httpx.AsyncClient, app: Any
) -> None:
    token, guest = await new_guest(client)
    key = Account.create()
    response = await sign_in(client, token, key)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["address"] == key.address  # EIP-55 out
    assert body["user"]["wallet_address"] == key.address  # shown EIP-55 everywhere
    assert body["user"]["id"] == guest["id"] and body["new_user"] and not body["merged_guest"]
    assert body["signature_kind"] == "eoa"
    # The session was rotated: the old token is dead, the new one names the wallet user.
    assert (await client.get("/api/me", headers=auth(token))).status_code == 401
    me = await client.get("/api/me", headers=auth(body["token"]))
    assert me.json()["is_guest"] is False and me.json()["wallet_address"] == key.address
    assert await _counts(app) == (1, 1, 1)
    async with app.state.eaili5.db.transaction() as db:
        assert await db.scalar(select(User.wallet_address)) == key.address.lower()  # stored lowercase
    [exported] = (await client.get("/api/me/export", headers=auth(body["token"]))).json()["tables"]["users"]
    assert exported["wallet_address"] == key.address


async def test_the_nonce_endpoint_says_what_to_write(client: httpx.AsyncClient) -> None:
    token, _ = await new_guest(client)
    body = (await client.get("/api/auth/nonce", headers=auth(token))).json()
    assert len(body["nonce"]) >= 8 and body["nonce"].isalnum()
    assert body["domain"] == "127.0.0.1:8000" and body["uri"] == "http://127.0.0.1:8000"
    assert body["chain_ids"] == [8453, 84532] and body["version"] == "1"
    assert "no transaction" in body["statement"]
    assert (await client.get("/api/auth/nonce")).status_code == 401  # needs a session to bind to


async def test_signing_in_again_with_the_same_wallet_from_a_new_guest_merges(
    client: httpx.AsyncClient,
) -> None:
    key = Account.create()
    first_token, first = await new_guest(client)
    assert (await sign_in(client, first_token, key)).status_code == 200
    second_token, second = await new_guest(client)
    response = await sign_in(client, second_token, key)
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["id"] == first["id"] != second["id"]
    assert body["merged_guest"] and not body["new_user"]


async def test_base_sepolia_and_a_message_without_statement_are_accepted(client: httpx.AsyncClient) -> None:
    token, _ = await new_guest(client)
    response = await sign_in(client, token, Account.create(), chain_id=84532, statement=None)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"domain": "evil.example"}, "domain_mismatch"),
        ({"uri": "https://evil.example/login"}, "uri_mismatch"),
        ({"chain_id": 1}, "chain_unsupported"),
        ({"version": "2"}, "version_unsupported"),
        ({"expiration": utcnow() - timedelta(seconds=5)}, "expired"),
        ({"not_before": utcnow() + timedelta(minutes=10)}, "not_yet_valid"),
        ({"issued_at": utcnow() + timedelta(minutes=10)}, "not_yet_valid"),
    ],
    ids=["domain", "uri", "chain", "version", "expired", "not-before", "issued-in-future"],
)
async def test_claims_that_are_not_ours_are_refused(
    client: httpx.AsyncClient, app: Any, options: dict[str, Any], reason: str
) -> None:
    token, _ = await new_guest(client)
    before = await _counts(app)
    response = await sign_in(client, token, Account.create(), **options)
    refused(response, reason)
    assert await _counts(app) == before
    assert (await client.get("/api/me", headers=auth(token))).json()["is_guest"] is True


async def test_the_nonce_survives_a_refusal_and_works_once(client: httpx.AsyncClient) -> None:
    token, _ = await new_guest(client)
    key, other = Account.create(), Account.create()
    nonce = await get_nonce(client, token)
    message = siwe_message(key.address, nonce)
    refused(await verify(client, token, message, personal_sign(other, message)), "bad_signature")
    response = await verify(client, token, message, personal_sign(key, message))
    assert response.status_code == 200
    new_token = response.json()["token"]
    refused(await verify(client, new_token, message, personal_sign(key, message)), "nonce_used")


async def test_signature_failures(client: httpx.AsyncClient, app: Any) -> None:
    token, _ = await new_guest(client)
    key = Account.create()
    nonce = await get_nonce(client, token)
    message = siwe_message(key.address, nonce)
    good = personal_sign(key, message)
    before = await _counts(app)
    refused(await verify(client, token, message, personal_sign(Account.create(), message)), "bad_signature")
    refused(await verify(client, token, message, good[:64]), "bad_signature")  # truncated
    refused(await verify(client, token, message, good[:-1] + bytes([good[-1] ^ 1])), "bad_signature")
    refused(await verify(client, token, message + " ", good), "malformed_message")
    response = await client.post(
        "/api/auth/verify", json={"message": message, "signature": "0x123"}, headers=auth(token)
    )
    refused(response, "bad_signature")  # odd number of hex digits
    assert await _counts(app) == before


async def test_nonces_are_bound_to_their_session_and_known(client: httpx.AsyncClient) -> None:
    token, _ = await new_guest(client)
    other_token, _ = await new_guest(client)
    key = Account.create()
    nonce = await get_nonce(client, other_token)
    message = siwe_message(key.address, nonce)
    refused(await verify(client, token, message, personal_sign(key, message)), "nonce_session_mismatch")
    invented = siwe_message(key.address, "abcdef0123456789")
    refused(await verify(client, token, invented, personal_sign(key, invented)), "nonce_unknown")
    # The other session can still use its nonce: the refusal changed nothing.
    assert (await verify(client, other_token, message, personal_sign(key, message))).status_code == 200


@pytest.mark.parametrize("settings_overrides", [{"siwe_nonce_ttl_seconds": 0.3}])
async def test_an_expired_nonce_says_so(client: httpx.AsyncClient, rpc_url: str) -> None:
    token, _ = await new_guest(client)
    key = Account.create()
    nonce = await get_nonce(client, token)
    await asyncio.sleep(1.2)  # Redis TTLs are milliseconds; leave a wide margin
    message = siwe_message(key.address, nonce)
    refused(await verify(client, token, message, personal_sign(key, message)), "nonce_expired")


async def test_concurrent_verifies_with_one_nonce_succeed_at_most_once(
    client: httpx.AsyncClient, app: Any
) -> None:
    token, _ = await new_guest(client)
    key = Account.create()
    nonce = await get_nonce(client, token)
    message = siwe_message(key.address, nonce)
    signature = personal_sign(key, message)
    responses = await asyncio.gather(*(verify(client, token, message, signature) for _ in range(6)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) == 1, [r.text for r in responses]
    assert all(status == 401 for status in statuses if status != 200)
    assert await _counts(app) == (1, 1, 1)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "127.0.0.1:8000 wants you to sign in with your Ethereum account:\n0xabc\n\nURI: x",
        # lowercase address: EIP-4361 requires the EIP-55 spelling
        "127.0.0.1:8000 wants you to sign in with your Ethereum account:\n"
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\n\nURI: http://127.0.0.1:8000\nVersion: 1\n"
        "Chain ID: 8453\nNonce: abcdefgh12\nIssued At: 2026-01-01T00:00:00Z",
        # fields out of order
        "127.0.0.1:8000 wants you to sign in with your Ethereum account:\n"
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\n\nURI: http://127.0.0.1:8000\nChain ID: 8453\n"
        "Version: 1\nNonce: abcdefgh12\nIssued At: 2026-01-01T00:00:00Z",
        # short nonce, naive time
        "127.0.0.1:8000 wants you to sign in with your Ethereum account:\n"
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\n\nURI: http://127.0.0.1:8000\nVersion: 1\n"
        "Chain ID: 8453\nNonce: abc\nIssued At: 2026-01-01T00:00:00Z",
        "127.0.0.1:8000 wants you to sign in with your Ethereum account:\n"
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\n\nURI: http://127.0.0.1:8000\nVersion: 1\n"
        "Chain ID: 8453\nNonce: abcdefgh12\nIssued At: 2026-01-01T00:00:00",
    ],
    ids=["empty", "prose", "truncated", "lowercase-address", "out-of-order", "short-nonce", "naive-time"],
)
def test_malformed_messages_are_named(text: str) -> None:
    with pytest.raises(SignInFailed) as caught:
        parse_message(text)
    assert caught.value.reason == "malformed_message"


def test_a_full_message_parses() -> None:
    text = (
        "https://127.0.0.1:8000 wants you to sign in with your Ethereum account:\n"
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\n\nHello there.\n\nURI: http://127.0.0.1:8000/app\n"
        "Version: 1\nChain ID: 84532\nNonce: abcdefgh12\nIssued At: 2026-01-01T00:00:00Z\n"
        "Expiration Time: 2026-01-02T00:00:00.000Z\nNot Before: 2025-12-31T00:00:00+01:00\n"
        "Request ID: r-1\nResources:\n- ipfs://x\n- https://example.com/a"
    )
    message = parse_message(text)
    assert (message.scheme, message.domain, message.statement) == ("https", "127.0.0.1:8000", "Hello there.")
    assert message.chain_id == 84532 and message.request_id == "r-1"
    assert message.resources == ("ipfs://x", "https://example.com/a")
    assert message.expiration_time is not None and message.not_before is not None


@pytest.mark.parametrize(
    "settings_overrides",
    [{"rate_limit_auth_verify": "2/minute", "rate_limit_auth_nonce": "3/minute"}],
)
async def test_nonce_and_verify_are_rate_limited(client: httpx.AsyncClient) -> None:
    token, _ = await new_guest(client)
    statuses = [(await client.get("/api/auth/nonce", headers=auth(token))).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    body = {"message": "x", "signature": "0x00"}
    verifies = [
        (await client.post("/api/auth/verify", json=body, headers=auth(token))).status_code for _ in range(3)
    ]
    assert verifies == [401, 401, 429]


async def test_two_guests_signing_in_with_one_new_wallet_at_once_make_one_wallet_user(
    client: httpx.AsyncClient, app: Any
) -> None:
    key = Account.create()
    guests = [(await new_guest(client))[0] for _ in range(2)]
    nonces = [await get_nonce(client, token) for token in guests]
    messages = [siwe_message(key.address, nonce) for nonce in nonces]
    responses = await asyncio.gather(
        *(verify(client, token, m, personal_sign(key, m)) for token, m in zip(guests, messages, strict=True))
    )
    statuses = sorted(r.status_code for r in responses)
    # Either the second merged into the first (200, 200) or lost the race cleanly (409, still a guest).
    assert statuses in ([200, 200], [200, 409]), [r.text for r in responses]
    users, wallets, _ = await _counts(app)
    assert wallets == 1
    assert users == (1 if statuses == [200, 200] else 2)
