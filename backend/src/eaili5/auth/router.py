"""Guest sessions and the current user."""

from __future__ import annotations

import logging

from fastapi import APIRouter, BackgroundTasks, Request, Response, status

from eaili5.auth.deps import BearerToken, CurrentPrincipal, Sessions
from eaili5.auth.schemas import PreferencesUpdate, SessionCreated, UserOut
from eaili5.core.deps import DBSession, get_state
from eaili5.core.errors import RateLimited
from eaili5.core.kv import KV_UNAVAILABLE
from eaili5.core.middleware import client_ip

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["session"])


@router.post("/session", status_code=status.HTTP_201_CREATED, response_model=SessionCreated)
async def create_session(request: Request, db: DBSession, sessions: Sessions) -> SessionCreated:
    """Start a guest session: creates a guest user and returns its bearer token."""
    state = get_state(request)
    try:
        limit = await state.kv.hit_rate_limit(
            state.settings.rate_limit_session_create, "session-create", client_ip(request.scope)
        )
    except KV_UNAVAILABLE:
        # Fail open like the API-wide limiter: a KV outage must not lock newcomers out.
        logger.warning("session-create rate limit unavailable; allowing the request")
        limit = None
    if limit is not None and not limit.allowed:
        raise RateLimited(
            "Too many new sessions from this address. Please wait a little.",
            retry_after=limit.retry_after_seconds,
        )
    token, expires_at, user = await sessions.create_guest(db, _user_agent(request))
    return SessionCreated(token=token, expires_at=expires_at, user=UserOut.model_validate(user))


@router.get("/me", response_model=UserOut)
async def read_me(principal: CurrentPrincipal, db: DBSession, sessions: Sessions) -> UserOut:
    """The user behind the bearer token."""
    return UserOut.model_validate(await sessions.get_user(db, principal.user_id))


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT)
async def end_session(
    principal: CurrentPrincipal,
    token: BearerToken,
    db: DBSession,
    sessions: Sessions,
    background: BackgroundTasks,
) -> Response:
    """End this session: the token stops working and its open WebSockets are closed."""
    await sessions.end(db, token, principal)
    # Runs after the response, i.e. after the delete is committed: no socket outlives its session.
    background.add_task(sessions.announce_ended, principal, token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.patch("/me/preferences", response_model=UserOut)
async def update_preferences(
    update: PreferencesUpdate, principal: CurrentPrincipal, db: DBSession, sessions: Sessions
) -> UserOut:
    """Change the reading level or time zone; fields not sent keep their value."""
    user = await sessions.update_preferences(db, principal.user_id, update)
    return UserOut.model_validate(user)


def _user_agent(request: Request) -> str | None:
    """Shown in the session list so a person can tell their devices apart; trimmed, never trusted."""
    value = request.headers.get("user-agent")
    return value[:200] if value else None
