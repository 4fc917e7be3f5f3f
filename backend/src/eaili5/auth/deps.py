"""Authentication dependencies: who is calling, from `Authorization: Bearer <token>`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from eaili5.auth.service import Principal, SessionService
from eaili5.core.deps import DBSession, get_state
from eaili5.core.errors import Unauthorized


def get_session_service(request: Request) -> SessionService:
    state = get_state(request)
    return SessionService(state.kv, state.settings.session_ttl_days)


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send your session token as 'Authorization: Bearer <token>'.")
    token = token.strip()
    if len(token) > 256:
        raise Unauthorized("This session token is not valid.")
    return token


async def get_principal(
    db: DBSession,
    token: Annotated[str, Depends(bearer_token)],
    sessions: Annotated[SessionService, Depends(get_session_service)],
) -> Principal:
    return await sessions.resolve(db, token)


Sessions = Annotated[SessionService, Depends(get_session_service)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
BearerToken = Annotated[str, Depends(bearer_token)]
