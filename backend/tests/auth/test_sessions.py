from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from eaili5.auth.service import purge_expired_sessions
from eaili5.models import Session, User
from eaili5.models.base import utcnow
from tests.conftest import auth, new_guest


async def _session_rows(app: Any) -> list[Session]:
    async with app.state.eaili5.db.transaction() as db:
        return list((await db.execute(select(Session))).scalars())


async def test_guest_session_is_created_with_an_opaque_token(client: httpx.AsyncClient, app: Any) -> None:
    token, user = await new_guest(client)
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    assert user["is_guest"] is True and user["wallet_address"] is None
    assert user["preferences"] == {"reading_level": "eli5", "time_zone": "UTC"}
    rows = await _session_rows(app)
    assert len(rows) == 1
    # Only the SHA-256 is stored: a database leak does not leak usable tokens.
    assert rows[0].token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(rows[0].__dict__)
    assert rows[0].expires_at - utcnow() > timedelta(days=29)


async def test_me_returns_the_caller(client: httpx.AsyncClient) -> None:
    token, user = await new_guest(client)
    response = await client.get("/api/me", headers=auth(token))
    assert response.status_code == 200
    assert response.json()["id"] == user["id"]
    assert response.json()["created_at"].endswith("Z") or "+00:00" in response.json()["created_at"]


async def test_each_guest_is_a_different_user(client: httpx.AsyncClient) -> None:
    (_, first), (_, second) = await new_guest(client), await new_guest(client)
    assert first["id"] != second["id"]


async def test_missing_or_malformed_credentials_are_401(client: httpx.AsyncClient) -> None:
    for headers in (
        {},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer "},
        auth("x" * 300),
    ):
        response = await client.get("/api/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"] == "Unauthorized"
        assert "Bearer" in response.json()["detail"] or "not valid" in response.json()["detail"]


async def test_unknown_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/me", headers=auth("not-a-real-token"))
    assert response.status_code == 401
    assert "POST /api/session" in response.json()["detail"]


async def test_ending_a_session_revokes_the_token_even_when_cached(
    client: httpx.AsyncClient, app: Any
) -> None:
    token, _ = await new_guest(client)
    assert (await client.get("/api/me", headers=auth(token))).status_code == 200  # now cached
    assert (await client.delete("/api/session", headers=auth(token))).status_code == 204
    assert (await client.get("/api/me", headers=auth(token))).status_code == 401
    assert await _session_rows(app) == []


async def test_expired_session_is_refused_and_removed(client: httpx.AsyncClient, app: Any) -> None:
    token, _ = await new_guest(client)
    async with app.state.eaili5.db.transaction() as db:
        await db.execute(update(Session).values(expires_at=utcnow() - timedelta(seconds=1)))
    response = await client.get("/api/me", headers=auth(token))
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    async with app.state.eaili5.db.transaction() as db:
        assert await purge_expired_sessions(db) == 1
    assert await _session_rows(app) == []


async def test_expiry_slides_forward_with_use(client: httpx.AsyncClient, app: Any) -> None:
    token, _ = await new_guest(client)
    soon = utcnow() + timedelta(days=2)
    async with app.state.eaili5.db.transaction() as db:
        await db.execute(update(Session).values(expires_at=soon))
    assert (await client.get("/api/me", headers=auth(token))).status_code == 200
    [row] = await _session_rows(app)
    assert row.expires_at - utcnow() > timedelta(days=29)


async def test_preferences_update_is_partial_and_validated(client: httpx.AsyncClient) -> None:
    token, _ = await new_guest(client)
    response = await client.patch(
        "/api/me/preferences", json={"time_zone": "Europe/Paris"}, headers=auth(token)
    )
    assert response.status_code == 200
    response = await client.patch("/api/me/preferences", json={"reading_level": "pro"}, headers=auth(token))
    assert response.json()["preferences"] == {"reading_level": "pro", "time_zone": "Europe/Paris"}

    bad = await client.patch("/api/me/preferences", json={"time_zone": "Mars/Olympus"}, headers=auth(token))
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "time_zone"]
    assert "IANA" in bad.json()["detail"][0]["msg"]
    me = await client.get("/api/me", headers=auth(token))
    assert me.json()["preferences"]["time_zone"] == "Europe/Paris"  # the bad update changed nothing


async def test_deleting_a_user_cascades_to_sessions(client: httpx.AsyncClient, app: Any) -> None:
    _, user = await new_guest(client)
    async with app.state.eaili5.db.transaction() as db:
        await db.delete(await db.get(User, uuid.UUID(user["id"])))
    assert await _session_rows(app) == []
