"""SIWE nonces in the KV layer: random, bound to one session, short-lived, single use.

Two keys per nonce: the live one (`siwe-nonce:<n>` → session id, TTL = the nonce's lifetime) that
`take` consumes atomically, so of two concurrent verifies only one can win; and a longer-lived record
(`siwe-nonce-seen:<n>`) that lets a refusal say *why*: expired, already used, or never ours.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from eaili5.auth.errors import SignInFailed
from eaili5.core.kv import KV
from eaili5.models.base import utcnow

_SEEN_SECONDS = 24 * 3600.0
_USED = b"used"


def _live_key(nonce: str) -> str:
    return f"siwe-nonce:{nonce}"


def _seen_key(nonce: str) -> str:
    return f"siwe-nonce-seen:{nonce}"


class NonceStore:
    def __init__(self, kv: KV, ttl_seconds: float) -> None:
        self.kv = kv
        self.ttl_seconds = ttl_seconds

    async def issue(self, session_id: uuid.UUID) -> tuple[str, datetime]:
        nonce = secrets.token_hex(16)  # 128 bits, alphanumeric as EIP-4361 asks
        owner = str(session_id).encode()
        await self.kv.set(_seen_key(nonce), owner, _SEEN_SECONDS)
        await self.kv.set(_live_key(nonce), owner, self.ttl_seconds)
        return nonce, utcnow() + timedelta(seconds=self.ttl_seconds)

    async def check(self, nonce: str, session_id: uuid.UUID) -> None:
        """Refuse a nonce that is not live for this session; consumes nothing."""
        owner = await self.kv.get(_live_key(nonce))
        if owner is None:
            raise await self._why_not_live(nonce)
        if owner != str(session_id).encode():
            raise SignInFailed("nonce_session_mismatch", "This nonce was issued to another session.")

    async def consume(self, nonce: str, session_id: uuid.UUID) -> None:
        """Take the nonce: exactly one caller succeeds, the others get `nonce_used`."""
        owner = await self.kv.take(_live_key(nonce))
        if owner is None:
            raise await self._why_not_live(nonce)
        if owner != str(session_id).encode():
            # Checked before, so only a race with another session's verify lands here: put it back.
            await self.kv.set(_live_key(nonce), owner, self.ttl_seconds)
            raise SignInFailed("nonce_session_mismatch", "This nonce was issued to another session.")
        await self.kv.set(_seen_key(nonce), _USED, _SEEN_SECONDS)

    async def _why_not_live(self, nonce: str) -> SignInFailed:
        seen = await self.kv.get(_seen_key(nonce))
        if seen is None:
            return SignInFailed("nonce_unknown", "We did not issue this nonce. Ask for a new one.")
        if seen == _USED:
            return SignInFailed("nonce_used", "This sign-in message was already used. Sign a new one.")
        return SignInFailed("nonce_expired", "This nonce has expired. Ask for a new one and sign again.")
