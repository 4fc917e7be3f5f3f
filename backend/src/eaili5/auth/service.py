"""Guest sessions: opaque bearer tokens, stored only as SHA-256, cached, with sliding expiry."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.auth import repository
from eaili5.auth.schemas import Preferences, PreferencesUpdate
from eaili5.core.errors import NotFound, Unauthorized
from eaili5.core.kv import KV, KV_UNAVAILABLE
from eaili5.models import Session, User
from eaili5.models.base import utcnow

logger = logging.getLogger(__name__)

# Lookups are served from the KV cache for this long; revocation deletes the entry at once.
SESSION_CACHE_SECONDS = 60.0
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


class SessionService:
    def __init__(self, kv: KV, ttl_days: int) -> None:
        self.kv = kv
        self.ttl = timedelta(days=ttl_days)

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

    async def resolve(self, db: AsyncSession, token: str) -> Principal:
        """The principal for a bearer token, or Unauthorized. Cached; extends expiry as it goes."""
        token_hash = hash_token(token)
        try:
            cached = await self.kv.get(_cache_key(token_hash))
        except KV_UNAVAILABLE:
            # The cache is only a shortcut: while the KV is down every lookup reads the database.
            logger.warning("session cache unavailable; reading the session from the database")
            return await self._load_and_extend(db, token_hash)
        if cached is not None:
            data = orjson.loads(cached)
            return Principal(uuid.UUID(data["u"]), uuid.UUID(data["s"]))
        principal = await self._load_and_extend(db, token_hash)
        payload = orjson.dumps({"u": str(principal.user_id), "s": str(principal.session_id)})
        with contextlib.suppress(*KV_UNAVAILABLE):
            await self.kv.set(_cache_key(token_hash), payload, SESSION_CACHE_SECONDS)
        return principal

    async def _load_and_extend(self, db: AsyncSession, token_hash: str) -> Principal:
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
