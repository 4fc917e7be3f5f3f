"""Periodic clean-up of expired sessions, run by one instance at a time (a KV lease)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from eaili5.auth.service import purge_expired_sessions
from eaili5.core.state import AppState

logger = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 3600.0
# Longer than one purge takes, shorter than the interval: a dead holder frees it before the next run.
PURGE_LEASE_SECONDS = 600.0


async def purge_once(state: AppState) -> int | None:
    """Delete expired sessions if no other instance is doing it; None when another holds the lease."""
    lease = state.kv.lock("sessions-purge", PURGE_LEASE_SECONDS)
    if not await lease.acquire():
        return None
    try:
        async with state.db.transaction() as db:
            return await purge_expired_sessions(db)
    finally:
        await lease.release()


async def purge_forever(state: AppState, stopping: asyncio.Event) -> None:
    while not stopping.is_set():
        try:
            removed = await purge_once(state)
            if removed:
                logger.info("removed %d expired sessions", removed)
        except Exception:
            logger.warning("expired-session purge failed; will retry", exc_info=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), PURGE_EVERY_SECONDS)
