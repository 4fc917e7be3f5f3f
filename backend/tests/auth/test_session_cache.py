"""The per-process session cache (auth/service.py `SessionCache`): it serves bursts without a KV read, and
an ended session stops working at once on the process that ended it and, through the control channel, on
every other instance; a lost message delays that by at most the cache's TTL."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import delete

from eaili5.app import create_app
from eaili5.auth.service import Principal, SessionCache, SessionService, _cache_key, hash_token
from eaili5.core.settings import Settings
from eaili5.models import Session
from tests.conftest import auth, new_guest


class Clock:
    """A hand-moved monotonic clock for the cache's expiry rules."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _principal() -> Principal:
    return Principal(uuid.uuid4(), uuid.uuid4())


def test_an_entry_lives_exactly_its_ttl_and_is_never_extended() -> None:
    clock = Clock()
    cache = SessionCache(5.0, clock=clock)
    principal = _principal()
    cache.put("h", principal, cache.generation)
    clock.now += 4.9
    assert cache.get("h") == principal  # a hit does not push the expiry out
    clock.now += 0.1
    assert cache.get("h") is None
    assert len(cache) == 0


def test_the_oldest_entries_go_first_when_full() -> None:
    clock = Clock()
    cache = SessionCache(5.0, max_entries=3, clock=clock)
    principals = [_principal() for _ in range(4)]
    for number, principal in enumerate(principals):
        cache.put(f"h{number}", principal, cache.generation)
        clock.now += 0.1
    assert len(cache) == 3
    assert cache.get("h0") is None
    assert [cache.get(f"h{n}") for n in (1, 2, 3)] == principals[1:]


def test_dropping_by_session_id_removes_that_sessions_token() -> None:
    cache = SessionCache(5.0)
    kept, ended = _principal(), _principal()
    cache.put("kept", kept, cache.generation)
    cache.put("ended", ended, cache.generation)
    cache.drop_session(ended.session_id)
    assert cache.get("ended") is None
    assert cache.get("kept") == kept


def test_a_lookup_that_raced_a_drop_does_not_store_what_it_read() -> None:
    # A request read the session (KV or database) just before another request ended it: storing that
    # read now would keep the ended token alive on this process for a whole TTL.
    cache = SessionCache(5.0)
    principal = _principal()
    started_at = cache.generation
    cache.drop("h")
    cache.put("h", principal, started_at)
    assert cache.get("h") is None


def test_a_zero_ttl_turns_the_cache_off() -> None:
    cache = SessionCache(0)
    cache.put("h", _principal(), cache.generation)
    assert cache.get("h") is None


async def _forget_behind_the_apps_back(app: Any, token: str) -> None:
    """End a session without telling anyone: delete its row and its KV entry, publish nothing (what a lost
    control message looks like to an instance that has the session cached)."""
    state = app.state.eaili5
    async with state.db.transaction() as db:
        await db.execute(delete(Session).where(Session.token_hash == hash_token(token)))
    await state.kv.delete(_cache_key(hash_token(token)))


async def test_a_burst_is_served_from_this_process_and_a_lost_revocation_lasts_at_most_the_ttl(
    client: httpx.AsyncClient, app: Any
) -> None:
    cache = app.state.eaili5.session_cache
    clock = cache._clock = Clock()
    token, _ = await new_guest(client)
    assert (await client.get("/api/me", headers=auth(token))).status_code == 200
    await _forget_behind_the_apps_back(app, token)
    # Neither the KV nor the database knows the token any more: only this process's cache can answer.
    clock.now += cache.ttl - 0.01
    assert (await client.get("/api/portfolio", headers=auth(token))).status_code == 200
    clock.now += 0.01
    assert (await client.get("/api/me", headers=auth(token))).status_code == 401


@pytest.mark.parametrize("how", ["sign-out", "from another session", "account deletion"])
async def test_ending_a_cached_session_refuses_it_at_once_on_this_process(
    client: httpx.AsyncClient, app: Any, how: str
) -> None:
    # The cache's own clock stands still: only the revocation itself can make the next call fail.
    app.state.eaili5.session_cache._clock = Clock()
    token, _ = await new_guest(client)
    assert (await client.get("/api/me", headers=auth(token))).status_code == 200
    assert app.state.eaili5.session_cache.get(hash_token(token)) is not None
    if how == "sign-out":
        response = await client.delete("/api/session", headers=auth(token))
    elif how == "from another session":
        # The same user's second session ends the first (the session list's "sign out that device").
        sessions = (await client.get("/api/auth/sessions", headers=auth(token))).json()["items"]
        second = await _second_session_of(app, token)
        response = await client.delete(f"/api/auth/sessions/{sessions[0]['id']}", headers=auth(second))
    else:
        response = await client.request(
            "DELETE", "/api/me", json={"confirm": "DELETE MY DATA"}, headers=auth(token)
        )
    assert response.status_code == 204, response.text
    assert (await client.get("/api/me", headers=auth(token))).status_code == 401


async def _second_session_of(app: Any, token: str) -> str:
    """Another session token for the same user, started the way sign-in starts one."""
    state = app.state.eaili5
    sessions = SessionService(state.kv, state.settings.session_ttl_days, state.session_cache)
    principal = await _resolve(app, token)
    async with state.db.transaction() as db:
        second, _ = await sessions.start(db, principal.user_id, {"method": "guest"})
    return second


async def _resolve(app: Any, token: str) -> Principal:
    state = app.state.eaili5
    sessions = SessionService(state.kv, state.settings.session_ttl_days, state.session_cache)
    return await sessions.resolve(state.db, token)


@asynccontextmanager
async def _instance(settings: Settings) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    application = create_app(settings, configure_logs=False)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, client=("203.0.113.10", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield application, http


async def test_ending_a_session_on_one_instance_refuses_it_on_another(stack: str, settings: Settings) -> None:
    if stack != "postgres-redis":
        pytest.skip("two instances share sessions only through PostgreSQL + Redis (runs when configured)")
    # A long TTL: within the wait below, only the control message can have dropped B's entry.
    shared = settings.model_copy(update={"session_local_cache_seconds": 30.0})
    async with _instance(shared) as (_, a), _instance(shared) as (app_b, b):
        token, _ = await new_guest(a)
        assert (await b.get("/api/me", headers=auth(token))).status_code == 200
        assert app_b.state.eaili5.session_cache.get(hash_token(token)) is not None
        assert (await a.delete("/api/session", headers=auth(token))).status_code == 204
        deadline = time.monotonic() + 5
        status = 200
        while status == 200 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
            status = (await b.get("/api/me", headers=auth(token))).status_code
        assert status == 401
        assert app_b.state.eaili5.session_cache.get(hash_token(token)) is None
