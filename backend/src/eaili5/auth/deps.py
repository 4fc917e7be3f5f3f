"""Authentication dependencies: who is calling, from `Authorization: Bearer <token>`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from eaili5.auth.service import Principal, SessionService
from eaili5.core.deps import get_state
from eaili5.core.errors import Unauthorized, error_responses


def get_session_service(request: Request) -> SessionService:
    state = get_state(request)
    return SessionService(state.kv, state.settings.session_ttl_days, state.session_cache)


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send your session token as 'Authorization: Bearer <token>'.")
    token = token.strip()
    if len(token) > 256:
        raise Unauthorized("This session token is not valid.")
    return token


# FastAPI runs a plain `def` dependency on a worker thread; these async twins keep the per-request work
# on the event loop (the functions above stay plain for direct calls).
async def _bearer_token_dependency(request: Request) -> str:
    return bearer_token(request)


async def _session_service_dependency(request: Request) -> SessionService:
    return get_session_service(request)


async def get_principal(request: Request) -> Principal:
    # The token and the service are read here rather than as two more sub-dependencies: every signed-in
    # request resolves its principal, and FastAPI's per-dependency bookkeeping costs more than they do.
    # Not the request's DBSession: a cache miss reads the session in its own short transaction, so the
    # handler's connection is never taken while this one is still held.
    return await get_session_service(request).resolve(get_state(request).db, bearer_token(request))


Sessions = Annotated[SessionService, Depends(_session_service_dependency)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
BearerToken = Annotated[str, Depends(_bearer_token_dependency)]


def document_unauthorized(routers: Iterable[APIRouter]) -> None:
    """Every route that needs a session can answer 401: say so in the OpenAPI document.
    Runs on the routers before they are included (the app holds them as lazy includes)."""
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute) and _needs_principal(route.dependant):
                route.responses.setdefault(401, error_responses(401)[401])


def _needs_principal(dependant: Dependant) -> bool:
    return any(sub.call is get_principal or _needs_principal(sub) for sub in dependant.dependencies)
