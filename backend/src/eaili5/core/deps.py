"""FastAPI dependencies shared by every domain router.

Dependencies are `async def` even when they do not await: FastAPI runs a plain `def` dependency on a
worker thread, and that hop (plus the GIL hand-over back and forth) costs more than the function itself
on every request. `get_state` stays a plain function for direct calls; `State` wraps it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.core.kv import KV
from eaili5.core.settings import Settings
from eaili5.core.state import AppState


def get_state(request: Request) -> AppState:
    return cast(AppState, request.app.state.eaili5)


async def state_dependency(request: Request) -> AppState:
    return get_state(request)


async def get_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's transaction; committed when the handler returns (before the response)."""
    async with get_state(request).db.transaction() as session:
        yield session


async def get_settings(request: Request) -> Settings:
    return get_state(request).settings


async def get_kv(request: Request) -> KV:
    return get_state(request).kv


State = Annotated[AppState, Depends(state_dependency)]
# scope="function": commit runs as soon as the endpoint returns, so a failed commit
# becomes an error response instead of a 200 for data that was never saved.
DBSession = Annotated[AsyncSession, Depends(get_db_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
KVDep = Annotated[KV, Depends(get_kv)]
