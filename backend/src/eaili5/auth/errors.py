"""A refused sign-in: 401 with a machine-readable `reason` beside the usual error body."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from eaili5.auth.wallet_schemas import SignInFailure
from eaili5.core.errors import Unauthorized, error_body


class SignInFailed(Unauthorized):
    kind = "SignInFailed"

    def __init__(self, reason: SignInFailure, detail: str) -> None:
        super().__init__(detail)
        self.reason: SignInFailure = reason


async def _handle_sign_in_failed(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SignInFailed)
    body = error_body(exc.kind, exc.detail) | {"reason": exc.reason}
    return JSONResponse(body, status_code=exc.status_code)


def install_sign_in_error_handler(app: FastAPI) -> None:
    # More specific than the AppError handler, so Starlette picks this one for SignInFailed.
    app.add_exception_handler(SignInFailed, _handle_sign_in_failed)
