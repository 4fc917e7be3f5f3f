"""One error hierarchy, rendered by one handler as {"error": "<Kind>", "detail": "..."}."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.dependencies.utils import get_flat_params
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from redis.exceptions import RedisError
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)


class AppError(Exception):
    """Base of every error we raise on purpose. `kind` is the stable, machine-readable name."""

    status_code = 400
    kind = "BadRequest"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class BadRequest(AppError):
    pass


class Unauthorized(AppError):
    status_code = 401
    kind = "Unauthorized"


class Forbidden(AppError):
    status_code = 403
    kind = "Forbidden"


class NotFound(AppError):
    status_code = 404
    kind = "NotFound"


class Conflict(AppError):
    status_code = 409
    kind = "Conflict"


class PayloadTooLarge(AppError):
    status_code = 413
    kind = "PayloadTooLarge"


class RateLimited(AppError):
    status_code = 429
    kind = "RateLimited"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = max(1, retry_after)


class ServiceUnavailable(AppError):
    status_code = 503
    kind = "ServiceUnavailable"


class UpstreamError(AppError):
    """A vendor (market data, model, search, RPC) failed; raised at the provider boundary."""

    status_code = 502
    kind = "UpstreamError"


class ErrorOut(BaseModel):
    """Every error response: a stable kind and a message (a list of problems for invalid input)."""

    error: str = Field(description="Stable, machine-readable kind, e.g. NotFound or RateLimited.")
    detail: str | list[dict[str, Any]] = Field(description="What went wrong, in plain words.")


_RESPONSE_DESCRIPTIONS = {
    400: "The request is not valid (a bad cursor, address or value); `detail` says why.",
    401: "No valid session: send `Authorization: Bearer <token>` from POST /api/session.",
    404: "Nothing with this id exists for you.",
    409: "Conflicts with the current state (it changed meanwhile, or the key was used otherwise).",
    413: "The request body is too large.",
    422: "The input is not valid; `detail` says why.",
    429: "Too many requests; wait for `Retry-After` seconds.",
    502: "An outside data source (market vendor, RPC) failed or is backing off; `detail` says which.",
    503: "A dependency (database or cache) is briefly unavailable; retry after `Retry-After`.",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for these error statuses, all with the ErrorOut body."""
    return {code: {"model": ErrorOut, "description": _RESPONSE_DESCRIPTIONS[code]} for code in codes}


def document_validation_errors(routers: Iterable[APIRouter]) -> None:
    """Our 422 body is ErrorOut like every other error (`detail` lists the field problems, or is a
    sentence when a handler refuses a value): document that instead of FastAPI's default
    HTTPValidationError, on the routes that take input (where FastAPI would document a 422)."""
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute) and (get_flat_params(route.dependant) or route.body_field):
                route.responses.setdefault(422, error_responses(422)[422])


# Kinds for errors Starlette raises itself (unknown route, wrong method, ...).
_HTTP_KINDS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    429: "RateLimited",
}


def error_body(kind: str, detail: Any) -> dict[str, Any]:
    return {"error": kind, "detail": detail}


def error_response(
    status: int, kind: str, detail: Any, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(kind, detail), status_code=status, headers=headers)


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Keep loc/msg/type only: echoing `input` back could reflect secrets or huge payloads.
    return [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]


async def _handle_app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return error_response(exc.status_code, exc.kind, exc.detail, exc.headers)


async def _handle_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(422, "ValidationError", _validation_details(exc))


async def _handle_http_exception(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    kind = _HTTP_KINDS.get(exc.status_code, "HTTPError")
    detail = exc.detail if isinstance(exc.detail, str) else kind
    if exc.status_code == 404 and detail == "Not Found":
        detail = "There is nothing at this address."
    return error_response(exc.status_code, kind, detail, dict(exc.headers or {}))


async def _handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    request_id = request.scope.get("state", {}).get("request_id", "")
    return error_response(500, "InternalError", f"Something went wrong on our side (request {request_id}).")


# A dependency outage is not a bug: answer 503 at once with a clear message (clients retry),
# instead of a 500. Seconds a client should wait before retrying:
OUTAGE_RETRY_AFTER_SECONDS = 5


def _outage_response(what: str) -> JSONResponse:
    detail = f"Our {what} is briefly unavailable. Please try again in a few seconds."
    headers = {"Retry-After": str(OUTAGE_RETRY_AFTER_SECONDS)}
    return error_response(503, ServiceUnavailable.kind, detail, headers)


async def _handle_database_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if isinstance(exc, DataError):  # a value the database cannot store (NUL in text, ...): the input's fault
        logger.warning("database refused a value on %s %s", request.method, request.url.path)
        return error_response(422, "ValidationError", "Some text contains characters we cannot store.")
    lost = isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated
    if not lost:  # constraint violations and the like are bugs: keep them loud
        return await _handle_unexpected(request, exc)
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc.orig))
    return _outage_response("database")


async def _handle_kv_error(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("cache unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return _outage_response("cache")


async def _handle_connection_error(request: Request, exc: Exception) -> JSONResponse:
    # Raised unwrapped when a new database or cache connection is refused or times out.
    logger.warning("connection failed on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return _outage_response("storage")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _handle_app_error)
    app.add_exception_handler(DBAPIError, _handle_database_error)
    app.add_exception_handler(RedisError, _handle_kv_error)
    app.add_exception_handler(ConnectionError, _handle_connection_error)
    app.add_exception_handler(TimeoutError, _handle_connection_error)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, _handle_http_exception)
    app.add_exception_handler(Exception, _handle_unexpected)
