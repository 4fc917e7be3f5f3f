"""Guest sessions: opaque bearer tokens, stored only as SHA-256, cached, with sliding expiry."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.auth import repository
from eaili5.auth.schemas import Preferences, PreferencesUpdate
from eaili5.core.db import Database
from eaili5.core.errors import NotFound, Unauthorized
from eaili5.core.kv import KV, KV_UNAVAILABLE
from eaili5.models import Session, User
from eaili5.models.base import utcnow

logger = logging.getLogger(__name__)

# Lookups are served from the KV cache for this long; revocation deletes the entry at once.
SESSION_CACHE_SECONDS = 60.0
# At most this many sessions are held in each process's own cache (SessionCache); the oldest go first.
LOCAL_CACHE_MAX_ENTRIES = 10_000
# Sliding expiry is written at most this often per session, not on every request.
EXTEND_EVERY = timedelta(hours=12)
# Published on this channel so every instance closes the sockets of a revoked session.
CONTROL_CHANNEL = "control"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: resolved from the bearer token on every request and WebSocket."""

    user_id: uuid.UUID
    session_id: uuid.UUID


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _cache_key(token_hash: str) -> str:
    return f"session:{token_hash}"


class SessionCache:
    """Resolved sessions held in this process for `ttl` seconds, in front of the KV cache: a burst of
    requests from one user costs one KV read instead of one each.

    Ending a session drops its entry here at once (`SessionService.end`, `announce_ended_hashes`), and every
    other process drops it when the `session_ended` message on the control channel arrives (milliseconds).
    An entry is never extended, so if that message is lost (pub/sub connection down) a revoked token still
    stops working on every process at most `ttl` seconds after that process cached it: the documented bound
    (docs/security.md). `ttl` 0 turns this cache off.
    """

    def __init__(
        self,
        ttl_seconds: float,
        max_entries: int = LOCAL_CACHE_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl, self.max_entries, self._clock = ttl_seconds, max_entries, clock
        # token hash → (dies at, principal). One fixed TTL and re-insertion on refill keep the dict in
        # expiry order, so expired and excess entries are always at its front.
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._by_session: dict[uuid.UUID, str] = {}  # a session has exactly one token
        # Bumped by every drop: a lookup that started before a drop must not store what it read (it may
        # have read the KV or the database just before the session was ended).
        self.generation = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token_hash: str) -> Principal | None:
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            self._remove(token_hash)
            return None
        return entry[1]

    def put(self, token_hash: str, principal: Principal, read_at_generation: int) -> None:
        """Remember a principal read while `generation` was `read_at_generation` (ignored if a drop came
        since)."""
        if self.ttl <= 0 or read_at_generation != self.generation:
            return
        self._remove(token_hash)
        self._evict()
        self._entries[token_hash] = (self._clock() + self.ttl, principal)
        self._by_session[principal.session_id] = token_hash

    def drop(self, token_hash: str) -> None:
        self.generation += 1
        self._remove(token_hash)

    def drop_session(self, session_id: uuid.UUID) -> None:
        self.generation += 1
        token_hash = self._by_session.get(session_id)
        if token_hash is not None:
            self._remove(token_hash)

    def _remove(self, token_hash: str) -> None:
        entry = self._entries.pop(token_hash, None)
        if entry is not None and self._by_session.get(entry[1].session_id) == token_hash:
            del self._by_session[entry[1].session_id]

    def _evict(self) -> None:
        now = self._clock()
        while self._entries:
            oldest = next(iter(self._entries))
            if self._entries[oldest][0] > now and len(self._entries) < self.max_entries:
                return
            self._remove(oldest)

    # --- every instance ends sessions on every other: listen on the control channel --------------
    async def start(self, kv: KV) -> None:
        await kv.subscribe(CONTROL_CHANNEL, self._on_control)

    async def stop(self, kv: KV) -> None:
        with contextlib.suppress(*KV_UNAVAILABLE):
            await kv.unsubscribe(CONTROL_CHANNEL, self._on_control)

    async def _on_control(self, _: str, payload: bytes) -> None:
        message = orjson.loads(payload)
        if message.get("action") != "session_ended":
            return
        try:
            session_id = uuid.UUID(str(message.get("session_id")))
        except ValueError:
            logger.warning("session_ended message without a valid session id")
            return
        self.drop_session(session_id)


class SessionService:
    def __init__(self, kv: KV, ttl_days: int, local: SessionCache | None = None) -> None:
        self.kv = kv
        self.ttl = timedelta(days=ttl_days)
        # This process's cache in front of the KV one (None: KV and database only).
        self.local = local if local is not None else SessionCache(0)

    async def create_guest(
        self, db: AsyncSession, user_agent: str | None = None
    ) -> tuple[str, datetime, User]:
        user = await repository.create_user(db)
        token, expires_at = await self.start(db, user.id, {"method": "guest", "user_agent": user_agent})
        return token, expires_at, user

    async def start(self, db: AsyncSession, user_id: uuid.UUID, data: dict[str, Any]) -> tuple[str, datetime]:
        """A new session for this user: the bearer token (shown once) and when it expires."""
        token = secrets.token_urlsafe(32)  # 32 random bytes → 43 URL-safe characters
        expires_at = utcnow() + self.ttl
        clean = {key: value for key, value in data.items() if value is not None}
        await repository.create_session(db, user_id, hash_token(token), expires_at, clean)
        return token, expires_at

    async def resolve(self, database: Database, token: str) -> Principal:
        """The principal for a bearer token, or Unauthorized. Cached in this process, then in the KV;
        extends expiry as it goes.

        A miss of both caches reads (and may extend) the session in a transaction of its own, given back
        before this returns: a request never holds this connection while its handler takes another
        (with a pool of two per worker, two such requests at once would otherwise wait on each other)."""
        token_hash = hash_token(token)
        principal = self.local.get(token_hash)
        if principal is not None:
            return principal
        generation = self.local.generation
        principal = await self._resolve_shared(database, token_hash)
        self.local.put(token_hash, principal, generation)
        return principal

    async def _resolve_shared(self, database: Database, token_hash: str) -> Principal:
        try:
            cached = await self.kv.get(_cache_key(token_hash))
        except KV_UNAVAILABLE:
            # The cache is only a shortcut: while the KV is down every lookup reads the database.
            logger.warning("session cache unavailable; reading the session from the database")
            return await self._load_and_extend(database, token_hash)
        if cached is not None:
            data = orjson.loads(cached)
            return Principal(uuid.UUID(data["u"]), uuid.UUID(data["s"]))
        principal = await self._load_and_extend(database, token_hash)
        payload = orjson.dumps({"u": str(principal.user_id), "s": str(principal.session_id)})
        with contextlib.suppress(*KV_UNAVAILABLE):
            await self.kv.set(_cache_key(token_hash), payload, SESSION_CACHE_SECONDS)
        return principal

    async def _load_and_extend(self, database: Database, token_hash: str) -> Principal:
        async with database.transaction() as db:
            session = await repository.find_session(db, token_hash)
            now = utcnow()
            if session is None:
                raise Unauthorized("This session is not valid. Start a new one with POST /api/session.")
            if session.expires_at <= now:
                # Refused here; the row is removed by purge_expired (this transaction rolls back).
                raise Unauthorized("This session has expired. Start a new one with POST /api/session.")
            if session.expires_at - now < self.ttl - EXTEND_EVERY:
                await repository.extend_session(db, session.id, now, now + self.ttl)
            return Principal(session.user_id, session.id)

    async def end(self, db: AsyncSession, token: str, principal: Principal) -> None:
        self.local.drop(hash_token(token))
        await repository.delete_session(db, principal.session_id)
        await self.kv.delete(_cache_key(hash_token(token)))

    async def rotate(
        self,
        db: AsyncSession,
        principal: Principal,
        old_token: str,
        user_id: uuid.UUID,
        data: dict[str, Any],
        user_agent: str | None,
    ) -> tuple[str, datetime]:
        """Sign-in: the old token stops working and a new one names `user_id` (no session fixation)."""
        await self.end(db, old_token, principal)
        return await self.start(db, user_id, {**data, "user_agent": (user_agent or "")[:200] or None})

    async def announce_ended(self, principal: Principal, token: str) -> None:
        """After the delete is committed: drop any cache entry a concurrent request re-filled,
        and tell every instance to close this session's sockets."""
        await self.announce_ended_hashes([(principal.session_id, hash_token(token))])

    async def announce_ended_hashes(self, ended: list[tuple[uuid.UUID, str]]) -> None:
        """The same, for sessions known by id and token hash (ended from another session)."""
        for session_id, token_hash in ended:  # this process first, before anything can wait
            self.local.drop(token_hash)
            self.local.drop_session(session_id)
        for session_id, token_hash in ended:
            await self.kv.delete(_cache_key(token_hash))
            message = {"action": "session_ended", "session_id": str(session_id)}
            await self.kv.publish(CONTROL_CHANNEL, orjson.dumps(message))

    async def list_sessions(self, db: AsyncSession, user_id: uuid.UUID) -> list[Session]:
        return await repository.user_sessions(db, user_id, utcnow())

    async def end_other(self, db: AsyncSession, principal: Principal, session_id: uuid.UUID) -> str:
        """End one of the caller's own sessions by id; NotFound for anyone else's (no probing)."""
        token_hash = await repository.delete_user_session(db, principal.user_id, session_id)
        if token_hash is None:
            raise NotFound("You have no session with this id.")
        self.local.drop(token_hash)
        await self.kv.delete(_cache_key(token_hash))
        return token_hash

    async def get_user(self, db: AsyncSession, user_id: uuid.UUID) -> User:
        user = await repository.get_user(db, user_id)
        if user is None:
            raise NotFound("This user no longer exists.")
        return user

    async def update_preferences(
        self, db: AsyncSession, user_id: uuid.UUID, update: PreferencesUpdate
    ) -> User:
        user = await self.get_user(db, user_id)
        merged = Preferences.model_validate(user.preferences or {}).model_copy(
            update=update.model_dump(exclude_none=True)
        )
        user.preferences = merged.model_dump()
        await db.flush()
        return user


async def purge_expired_sessions(db: AsyncSession) -> int:
    """Delete sessions past their expiry; returns how many. Safe to run on any instance."""
    return await repository.delete_expired_sessions(db, utcnow())
