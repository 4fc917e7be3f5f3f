"""Wallet sign-in (SIWE), Farcaster Quick Auth, the caller's sessions, their data, the mini app manifest."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request, Response, status

from eaili5.auth import account
from eaili5.auth.deps import BearerToken, CurrentPrincipal, Sessions
from eaili5.auth.farcaster_service import FarcasterSignIn
from eaili5.auth.manifest import manifest
from eaili5.auth.quick_auth import JwksCache, jwks_cache_for, verifier_for
from eaili5.auth.schemas import UserOut
from eaili5.auth.service import Principal
from eaili5.auth.wallet_schemas import (
    DeleteMeIn,
    ExportOut,
    FarcasterConflictBody,
    FarcasterIn,
    FarcasterSignedIn,
    NonceOut,
    QuickAuthFailedBody,
    QuickAuthUnavailableBody,
    SessionList,
    SessionOut,
    SignedIn,
    SignInFailedBody,
    VerifyIn,
)
from eaili5.auth.wallet_service import WalletSignIn
from eaili5.core.deps import DBSession, get_state
from eaili5.core.errors import RateLimited, error_responses
from eaili5.core.middleware import client_ip
from eaili5.models import Session

router = APIRouter(prefix="/api/auth", tags=["auth"])
account_router = APIRouter(prefix="/api/me", tags=["session"])
manifest_router = APIRouter(tags=["miniapp"])

_REFUSED: dict[int | str, dict[str, Any]] = {
    401: {"model": SignInFailedBody, "description": "Refused; `reason` says why. Nothing changed."}
}


async def get_wallet_sign_in(request: Request, sessions: Sessions) -> WalletSignIn:
    return WalletSignIn(get_state(request), sessions)


WalletSignInDep = Annotated[WalletSignIn, Depends(get_wallet_sign_in)]


async def get_farcaster_sign_in(request: Request, sessions: Sessions) -> FarcasterSignIn:
    """The JWKS cache lives as long as the app (one per instance), so keys are fetched once per TTL."""
    state = get_state(request)
    jwks: JwksCache | None = getattr(request.app.state, "farcaster_jwks", None)
    if jwks is None:
        jwks = jwks_cache_for(state.settings, state.http)
        request.app.state.farcaster_jwks = jwks
    return FarcasterSignIn(verifier_for(state.settings, jwks), sessions)


FarcasterSignInDep = Annotated[FarcasterSignIn, Depends(get_farcaster_sign_in)]
_QUICK_AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": QuickAuthFailedBody, "description": "Token refused; `reason` says why. Nothing changed."},
    409: {
        "model": FarcasterConflictBody,
        "description": "The FID would join two accounts (`reason`); nothing changed.",
    },
    503: {
        "model": QuickAuthUnavailableBody,
        "description": "Farcaster's keys could not be fetched; retry after `Retry-After`. Nothing changed.",
    },
}


async def _rate_limit(request: Request, limit: str, scope: str) -> None:
    state = get_state(request)
    result = await state.kv.hit_rate_limit(limit, scope, client_ip(request.scope))
    if not result.allowed:
        raise RateLimited(
            "Too many sign-in attempts. Please wait a little.", retry_after=result.retry_after_seconds
        )


@router.get("/nonce", response_model=NonceOut)
async def get_nonce(request: Request, principal: CurrentPrincipal, wallet: WalletSignInDep) -> NonceOut:
    """A single-use nonce for this session (5 minutes), and the values the SIWE message must carry."""
    await _rate_limit(request, get_state(request).settings.rate_limit_auth_nonce, "auth-nonce")
    return await wallet.issue_nonce(principal)


@router.post("/verify", response_model=SignedIn, responses={**_REFUSED, **error_responses(409, 502)})
async def verify_sign_in(
    body: VerifyIn,
    request: Request,
    principal: CurrentPrincipal,
    token: BearerToken,
    db: DBSession,
    wallet: WalletSignInDep,
    sessions: Sessions,
    background: BackgroundTasks,
) -> SignedIn:
    """Check a signed SIWE message; on success this session's guest becomes (or merges into) the
    wallet user and a new token replaces the old one."""
    await _rate_limit(request, get_state(request).settings.rate_limit_auth_verify, "auth-verify")
    result = await wallet.verify(db, principal, token, body, request.headers.get("user-agent"))
    background.add_task(sessions.announce_ended, principal, token)
    return SignedIn(
        token=result.token,
        expires_at=result.expires_at,
        user=UserOut.model_validate(result.user),
        address=result.address,
        signature_kind=result.signature_kind,
        merged_guest=result.merged_guest,
        new_user=result.new_user,
    )


@router.post("/farcaster", response_model=FarcasterSignedIn, responses=_QUICK_AUTH_RESPONSES)
async def farcaster_sign_in(
    body: FarcasterIn,
    request: Request,
    principal: CurrentPrincipal,
    token: BearerToken,
    db: DBSession,
    farcaster: FarcasterSignInDep,
    sessions: Sessions,
    background: BackgroundTasks,
) -> FarcasterSignedIn:
    """Check a Farcaster Quick Auth token (mini apps: `sdk.quickAuth.getToken()`); on success its FID is
    linked to you, or this guest signs in to the account it is linked to, and a new token replaces the
    old one. See docs/api.md for the rules."""
    await _rate_limit(request, get_state(request).settings.rate_limit_auth_farcaster, "auth-farcaster")
    result = await farcaster.sign_in(db, principal, token, body.token, request.headers.get("user-agent"))
    background.add_task(sessions.announce_ended, principal, token)
    return FarcasterSignedIn(
        token=result.token,
        expires_at=result.expires_at,
        user=UserOut.model_validate(result.user),
        fid=result.fid,
        linked=result.linked,
        merged_guest=result.merged_guest,
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    principal: CurrentPrincipal,
    token: BearerToken,
    db: DBSession,
    sessions: Sessions,
    background: BackgroundTasks,
) -> Response:
    """End this session (wallet or guest): the token stops working and its sockets close."""
    await sessions.end(db, token, principal)
    background.add_task(sessions.announce_ended, principal, token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _session_out(row: Session, principal: Principal) -> SessionOut:
    data = row.data or {}
    method = data.get("method") if data.get("method") in ("guest", "siwe", "farcaster") else "guest"
    return SessionOut(
        id=row.id,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
        current=row.id == principal.session_id,
        method=method,
        user_agent=data.get("user_agent"),
    )


@router.get("/sessions", response_model=SessionList)
async def list_sessions(principal: CurrentPrincipal, db: DBSession, sessions: Sessions) -> SessionList:
    """The caller's live sessions, most recently used first."""
    rows = await sessions.list_sessions(db, principal.user_id)
    return SessionList(items=[_session_out(row, principal) for row in rows])


@router.delete(
    "/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(404)
)
async def end_session_by_id(
    session_id: uuid.UUID,
    principal: CurrentPrincipal,
    db: DBSession,
    sessions: Sessions,
    background: BackgroundTasks,
) -> Response:
    """End one of your sessions (another device, or this one); its sockets close. 404 if not yours."""
    token_hash = await sessions.end_other(db, principal, session_id)
    background.add_task(sessions.announce_ended_hashes, [(session_id, token_hash)])
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@account_router.get("/export", response_model=ExportOut)
async def export_my_data(principal: CurrentPrincipal, db: DBSession) -> ExportOut:
    """Everything stored about you, one list of rows per table (token hashes left out)."""
    tables = await account.export_user(db, principal.user_id)
    return ExportOut(exported_at=account.exported_now(), user_id=principal.user_id, tables=tables)


@account_router.delete("", status_code=status.HTTP_204_NO_CONTENT)
async def delete_me(
    body: DeleteMeIn,
    principal: CurrentPrincipal,
    db: DBSession,
    sessions: Sessions,
    background: BackgroundTasks,
) -> Response:
    """Delete you and everything about you (conversations, progress, portfolio, sessions). Needs
    `{"confirm": "DELETE MY DATA"}`; cannot be undone."""
    ended = await account.session_token_hashes(db, principal.user_id)
    await account.delete_user(db, principal.user_id)
    background.add_task(sessions.announce_ended_hashes, ended)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@manifest_router.get("/.well-known/farcaster.json", response_model=dict[str, Any])
async def farcaster_manifest(request: Request) -> dict[str, Any]:
    """The Farcaster mini app manifest, built from settings (the source of truth for any copy)."""
    return manifest(get_state(request).settings)
