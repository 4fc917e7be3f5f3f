"""POST /api/auth/farcaster against a loopback Quick Auth issuer (real HTTP JWKS, keys made here):
the FID is linked or signs a guest in; every refusal is specific and changes nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from eth_account import Account
from sqlalchemy import select

from eaili5.models import Conversation, User
from tests.auth.conftest import sign_in, wallet_overrides
from tests.auth.quick_auth_server import (
    JwksServer,
    SigningKey,
    closed_port_url,
    standard_claims,
    unsigned_token,
)
from tests.conftest import auth, new_guest

FID = 6841


@pytest.fixture
def issuer_key() -> SigningKey:
    return SigningKey.ed25519("fc-2026-11")


@pytest.fixture
def jwks(issuer_key: SigningKey) -> Iterator[JwksServer]:
    with JwksServer([issuer_key]) as server:
        yield server


@pytest.fixture
def settings_overrides(jwks: JwksServer) -> dict[str, Any]:
    # No RPC is reached: plain-key SIWE sign-ins recover the address locally.
    return wallet_overrides(
        "http://127.0.0.1:9/unused",
        farcaster_jwks_url=jwks.url,
        farcaster_jwks_min_refetch_seconds=0,
        rate_limit_auth_farcaster="100000/minute",
    )


async def _farcaster(client: httpx.AsyncClient, session: str, token: str) -> httpx.Response:
    return await client.post("/api/auth/farcaster", json={"token": token}, headers=auth(session))


async def _me(client: httpx.AsyncClient, session: str) -> dict[str, Any]:
    response = await client.get("/api/me", headers=auth(session))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _refused(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["error"] == "SignInFailed" and body["reason"] == reason, body
    assert body["detail"]


async def _nothing_changed(client: httpx.AsyncClient, session: str, app: Any) -> None:
    """The old token still works, no FID anywhere, no extra session."""
    me = await _me(client, session)
    assert me["farcaster_fid"] is None
    async with app.state.eaili5.db.transaction() as db:
        assert (
            await db.scalars(select(User.farcaster_fid).where(User.farcaster_fid.is_not(None)))
        ).all() == []
    sessions = (await client.get("/api/auth/sessions", headers=auth(session))).json()["items"]
    assert [item["method"] for item in sessions] == ["guest"]


async def test_a_guest_links_its_fid_and_gets_a_new_token(
    client: httpx.AsyncClient, issuer_key: SigningKey
) -> None:
    session, guest = await new_guest(client)
    response = await _farcaster(client, session, issuer_key.token(FID))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["fid"] == FID and body["linked"] is True and body["merged_guest"] is False
    assert body["user"]["id"] == guest["id"] and body["user"]["farcaster_fid"] == FID
    assert (await client.get("/api/me", headers=auth(session))).status_code == 401  # rotated
    me = await _me(client, body["token"])
    assert me["farcaster_fid"] == FID and me["is_guest"] is True  # a FID is not a wallet
    [listed] = (await client.get("/api/auth/sessions", headers=auth(body["token"]))).json()["items"]
    assert listed["method"] == "farcaster"


async def test_the_same_fid_again_changes_nothing_but_the_token(
    client: httpx.AsyncClient, issuer_key: SigningKey
) -> None:
    session, guest = await new_guest(client)
    first = (await _farcaster(client, session, issuer_key.token(FID))).json()
    again = await _farcaster(client, first["token"], issuer_key.token(FID))
    assert again.status_code == 200
    assert again.json()["linked"] is False and again.json()["user"]["id"] == guest["id"]


async def test_a_string_sub_is_read_as_the_fid(client: httpx.AsyncClient, issuer_key: SigningKey) -> None:
    session, _ = await new_guest(client)
    response = await _farcaster(client, session, issuer_key.token(str(FID)))
    assert response.status_code == 200 and response.json()["fid"] == FID


async def test_an_es256_issuer_works_too(client: httpx.AsyncClient, jwks: JwksServer) -> None:
    key = SigningKey.es256("p256")
    jwks.publish(key)
    session, _ = await new_guest(client)
    assert (await _farcaster(client, session, key.token(FID))).status_code == 200


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": 1_700_000_000, "iat": 1_699_996_400}, "token_expired"),
        ({"aud": "evil.example"}, "audience_mismatch"),
        ({"iss": "https://auth.evil.example"}, "issuer_mismatch"),
        ({"iat": 4_000_000_000, "exp": 4_000_003_600}, "token_not_yet_valid"),
        ({"nbf": 4_000_000_000}, "token_not_yet_valid"),
        ({"exp": None}, "malformed_token"),
        ({"sub": None}, "malformed_token"),
        ({"sub": 0}, "malformed_token"),
        ({"sub": "alice"}, "malformed_token"),
    ],
)
async def test_bad_claims_are_refused_with_their_reason(
    client: httpx.AsyncClient, app: Any, issuer_key: SigningKey, claims: dict[str, Any], reason: str
) -> None:
    session, _ = await new_guest(client)
    claims = dict(claims)  # the parameter is shared by both storage stacks: popping it would leak
    token = issuer_key.token(claims.pop("sub", FID), **claims)
    _refused(await _farcaster(client, session, token), reason)
    await _nothing_changed(client, session, app)


async def test_a_little_clock_skew_is_tolerated(client: httpx.AsyncClient, issuer_key: SigningKey) -> None:
    import time

    now = int(time.time())
    session, _ = await new_guest(client)
    token = issuer_key.token(FID, iat=now + 10, exp=now - 10 + 3600)  # issuer's clock 10 s ahead
    assert (await _farcaster(client, session, token)).status_code == 200


async def test_a_signature_by_another_key_is_refused(
    client: httpx.AsyncClient, app: Any, issuer_key: SigningKey
) -> None:
    impostor = SigningKey.ed25519(issuer_key.kid)  # same key id, different key
    session, _ = await new_guest(client)
    _refused(await _farcaster(client, session, impostor.token(FID)), "bad_signature")
    await _nothing_changed(client, session, app)


async def test_an_unknown_key_id_refetches_the_keys_and_follows_a_rotation(
    client: httpx.AsyncClient, jwks: JwksServer, issuer_key: SigningKey
) -> None:
    session, _ = await new_guest(client)
    linked = (await _farcaster(client, session, issuer_key.token(FID))).json()
    assert jwks.hits == 1
    rotated = SigningKey.ed25519("fc-2026-12")
    jwks.publish(rotated)
    other, _ = await new_guest(client)
    response = await _farcaster(client, other, rotated.token(FID + 1))
    assert response.status_code == 200, response.text
    assert jwks.hits == 2
    _refused(await _farcaster(client, linked["token"], issuer_key.token(FID)), "unknown_key")
    assert jwks.hits == 3  # one refetch for the retired key, then refused


@pytest.mark.parametrize("algorithm", ["none", "HS256"])
async def test_none_and_hmac_algorithms_are_refused(
    client: httpx.AsyncClient, app: Any, issuer_key: SigningKey, algorithm: str
) -> None:
    header = {"alg": algorithm, "typ": "JWT", "kid": issuer_key.kid}
    # The classic confusion: the issuer's public key used as an HMAC secret.
    secret = issuer_key.public_jwk()["x"].encode() if algorithm == "HS256" else None
    token = unsigned_token(header, standard_claims(FID), secret)
    session, _ = await new_guest(client)
    _refused(await _farcaster(client, session, token), "bad_algorithm")
    await _nothing_changed(client, session, app)


async def test_an_algorithm_other_than_the_keys_is_refused(
    client: httpx.AsyncClient, jwks: JwksServer, issuer_key: SigningKey
) -> None:
    p256 = SigningKey.es256(issuer_key.kid)
    jwks.publish(issuer_key)  # the key id names an Ed25519 key; the token says ES256
    session, _ = await new_guest(client)
    _refused(await _farcaster(client, session, p256.token(FID)), "bad_algorithm")


@pytest.mark.parametrize("token", ["not-a-token.at.all", "aaaa.bbbb.cccc"])
async def test_garbage_is_malformed(client: httpx.AsyncClient, token: str) -> None:
    session, _ = await new_guest(client)
    _refused(await _farcaster(client, session, token), "malformed_token")


async def test_an_unreachable_issuer_is_503_and_changes_nothing(
    client: httpx.AsyncClient, app: Any, jwks: JwksServer, issuer_key: SigningKey
) -> None:
    jwks.state.status = 500
    session, _ = await new_guest(client)
    response = await _farcaster(client, session, issuer_key.token(FID))
    assert response.status_code == 503, response.text
    assert response.json()["reason"] == "jwks_unreachable"
    assert int(response.headers["Retry-After"]) > 0
    await _nothing_changed(client, session, app)


@pytest.mark.parametrize(
    "settings_overrides",
    [wallet_overrides("http://127.0.0.1:9/unused", farcaster_jwks_url=closed_port_url())],
)
async def test_an_issuer_nobody_answers_for_is_503(client: httpx.AsyncClient, issuer_key: SigningKey) -> None:
    session, _ = await new_guest(client)
    response = await _farcaster(client, session, issuer_key.token(FID))
    assert response.status_code == 503 and response.json()["reason"] == "jwks_unreachable"


@pytest.mark.parametrize("settings_overrides", [{"rate_limit_auth_farcaster": "2/minute"}])
async def test_attempts_are_rate_limited(client: httpx.AsyncClient) -> None:
    session, _ = await new_guest(client)
    codes = [(await _farcaster(client, session, "aaaa.bbbb.cccc")).status_code for _ in range(3)]
    assert codes == [401, 401, 429]


async def _wallet_user(client: httpx.AsyncClient) -> tuple[str, dict[str, Any]]:
    session, _ = await new_guest(client)
    signed = (await sign_in(client, session, Account.create())).json()
    return signed["token"], signed["user"]


async def test_a_fresh_guest_signs_in_to_the_account_its_fid_is_linked_to(
    client: httpx.AsyncClient, app: Any, issuer_key: SigningKey
) -> None:
    owner_token, owner = await _wallet_user(client)
    owner_token = (await _farcaster(client, owner_token, issuer_key.token(FID))).json()["token"]
    device_b, guest = await new_guest(client)
    async with app.state.eaili5.db.transaction() as db:
        db.add(Conversation(user_id=uuid.UUID(guest["id"]), title="asked on my phone"))
    response = await _farcaster(client, device_b, issuer_key.token(FID))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["merged_guest"] is True and body["linked"] is False
    assert body["user"]["id"] == owner["id"] and body["user"]["wallet_address"] == owner["wallet_address"]
    async with app.state.eaili5.db.transaction() as db:
        titles = (
            await db.scalars(select(Conversation.title).where(Conversation.user_id == uuid.UUID(owner["id"])))
        ).all()
        assert list(titles) == ["asked on my phone"]
        assert await db.get(User, uuid.UUID(guest["id"])) is None
    assert (await _me(client, owner_token))["farcaster_fid"] == FID  # the other device stays signed in


async def test_an_established_account_is_never_joined_to_the_fids_account(
    client: httpx.AsyncClient, issuer_key: SigningKey
) -> None:
    owner_session, _ = await new_guest(client)
    await _farcaster(client, owner_session, issuer_key.token(FID))
    wallet_token, wallet = await _wallet_user(client)
    response = await _farcaster(client, wallet_token, issuer_key.token(FID))
    assert response.status_code == 409, response.text
    assert response.json()["error"] == "FarcasterConflict"
    assert response.json()["reason"] == "fid_linked_elsewhere"
    me = await _me(client, wallet_token)  # still signed in, unchanged
    assert me["id"] == wallet["id"] and me["farcaster_fid"] is None


async def test_an_account_keeps_the_one_fid_it_has(client: httpx.AsyncClient, issuer_key: SigningKey) -> None:
    session, _ = await new_guest(client)
    token = (await _farcaster(client, session, issuer_key.token(FID))).json()["token"]
    response = await _farcaster(client, token, issuer_key.token(FID + 1))
    assert response.status_code == 409 and response.json()["reason"] == "other_fid_linked"
    assert (await _me(client, token))["farcaster_fid"] == FID


async def test_a_wallet_user_links_a_fid(client: httpx.AsyncClient, issuer_key: SigningKey) -> None:
    wallet_token, wallet = await _wallet_user(client)
    body = (await _farcaster(client, wallet_token, issuer_key.token(FID))).json()
    assert body["linked"] is True and body["user"]["id"] == wallet["id"]
    assert body["user"]["wallet_address"] == wallet["wallet_address"]


@pytest.mark.parametrize("wallet_has_fid", [False, True])
async def test_wallet_sign_in_of_a_fid_guest_moves_the_fid_unless_the_wallet_has_one(
    client: httpx.AsyncClient, issuer_key: SigningKey, wallet_has_fid: bool
) -> None:
    key = Account.create()
    first, _ = await new_guest(client)
    wallet_token = (await sign_in(client, first, key)).json()["token"]
    if wallet_has_fid:
        await _farcaster(client, wallet_token, issuer_key.token(FID + 7))
    guest_session, _ = await new_guest(client)
    guest_token = (await _farcaster(client, guest_session, issuer_key.token(FID))).json()["token"]
    merged = await sign_in(client, guest_token, key)
    assert merged.status_code == 200, merged.text
    assert merged.json()["merged_guest"] is True
    assert merged.json()["user"]["farcaster_fid"] == (FID + 7 if wallet_has_fid else FID)
    # The guest's FID is free again when the wallet kept its own: a new guest can link it.
    later, _ = await new_guest(client)
    relink = (await _farcaster(client, later, issuer_key.token(FID))).json()
    assert relink["linked"] is wallet_has_fid


async def test_export_shows_the_fid_and_deleting_me_frees_it(
    client: httpx.AsyncClient, issuer_key: SigningKey
) -> None:
    session, _ = await new_guest(client)
    token = (await _farcaster(client, session, issuer_key.token(FID))).json()["token"]
    [row] = (await client.get("/api/me/export", headers=auth(token))).json()["tables"]["users"]
    assert row["farcaster_fid"] == FID
    [listed] = (await client.get("/api/me/export", headers=auth(token))).json()["tables"]["sessions"]
    assert listed["data"]["method"] == "farcaster" and listed["data"]["fid"] == FID
    deleted = await client.request(
        "DELETE", "/api/me", json={"confirm": "DELETE MY DATA"}, headers=auth(token)
    )
    assert deleted.status_code == 204
    fresh, _ = await new_guest(client)
    assert (await _farcaster(client, fresh, issuer_key.token(FID))).json()["linked"] is True


async def test_two_guests_linking_one_fid_at_once_link_it_once(
    client: httpx.AsyncClient, app: Any, issuer_key: SigningKey
) -> None:
    (first, _), (second, _) = await new_guest(client), await new_guest(client)
    answers = await asyncio.gather(
        _farcaster(client, first, issuer_key.token(FID)), _farcaster(client, second, issuer_key.token(FID))
    )
    bodies = [answer.json() for answer in answers if answer.status_code == 200]
    assert sum(body["linked"] for body in bodies) == 1
    # The other one either came second (and signed in to the linked account) or collided (409, retry).
    assert all(answer.status_code in (200, 409) for answer in answers)
    async with app.state.eaili5.db.transaction() as db:
        owners = (await db.scalars(select(User.id).where(User.farcaster_fid == FID))).all()
    assert len(owners) == 1
