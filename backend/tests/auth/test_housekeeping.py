from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select, update

from eaili5.auth.housekeeping import purge_once
from eaili5.models import Session
from eaili5.models.base import utcnow
from tests.conftest import new_guest


async def _count_sessions(app: Any) -> int:
    async with app.state.eaili5.db.transaction() as db:
        return int((await db.execute(select(func.count()).select_from(Session))).scalar_one())


async def test_purge_removes_only_expired_sessions(client: httpx.AsyncClient, app: Any) -> None:
    await new_guest(client)
    await new_guest(client)
    async with app.state.eaili5.db.transaction() as db:
        oldest = (await db.execute(select(Session.id).limit(1))).scalar_one()
        await db.execute(
            update(Session).where(Session.id == oldest).values(expires_at=utcnow() - timedelta(1))
        )
    assert await purge_once(app.state.eaili5) == 1
    assert await _count_sessions(app) == 1


async def test_purge_is_skipped_while_another_instance_holds_the_lease(
    client: httpx.AsyncClient, app: Any
) -> None:
    state = app.state.eaili5
    other_instance = state.kv.lock("sessions-purge", 60)
    # The app's own purge runs at start-up and holds the lease briefly: wait for it to finish.
    for _ in range(100):
        if await other_instance.acquire():
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("the start-up purge never released its lease")
    assert await purge_once(state) is None
    await other_instance.release()
    assert await purge_once(state) == 0
