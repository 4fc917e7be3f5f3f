"""Refusals with a machine-readable `reason` beside the usual error body.

- 401 `SignInFailed`: a SIWE message or a Farcaster Quick Auth token was refused;
- 409 `FarcasterConflict`: a verified FID would join two accounts;
- 503 `ServiceUnavailable` with reason `jwks_unreachable`: the Quick Auth issuer's keys could not be fetched.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from eaili5.auth.wallet_schemas import FarcasterConflictReason, QuickAuthFailure, SignInFailure
from eaili5.core.errors import Conflict, ServiceUnavailable, Unauthorized, error_body

# Clients retry a Quick Auth after this long when the issuer's keys were out of reach.
JWKS_RETRY_AFTER_SECONDS = 30


class SignInFailed(Unauthorized):
    kind = "SignInFailed"

    def __init__(self, reason: SignInFailure | QuickAuthFailure, detail: str) -> None:
        super().__init__(detail)
        self.reason: SignInFailure | QuickAuthFailure = reason


class FarcasterConflict(Conflict):
    kind = "FarcasterConflict"

    def __init__(self, reason: FarcasterConflictReason, detail: str) -> None:
        super().__init__(detail)
        self.reason: FarcasterConflictReason = reason


class JwksUnreachable(ServiceUnavailable):
    reason = "jwks_unreachable"

    def __init__(self) -> None:
        super().__init__(
            "We could not reach Farcaster to check this sign-in. Please try again in a moment.",
            headers={"Retry-After": str(JWKS_RETRY_AFTER_SECONDS)},
        )


async def _handle_reasoned(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SignInFailed | FarcasterConflict | JwksUnreachable)
    body = error_body(exc.kind, exc.detail) | {"reason": exc.reason}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers or None)


def install_sign_in_error_handler(app: FastAPI) -> None:
    # More specific than the AppError handler, so Starlette picks these for their classes.
    for error in (SignInFailed, FarcasterConflict, JwksUnreachable):
        app.add_exception_handler(error, _handle_reasoned)


__all__ = ["FarcasterConflict", "JwksUnreachable", "SignInFailed"]
