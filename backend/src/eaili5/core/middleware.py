"""Pure-ASGI middleware: request context and metrics, security headers, body limit, rate limit.

Pure ASGI (not BaseHTTPMiddleware) keeps per-request overhead low and leaves WebSockets and
streaming responses untouched.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import MutableMapping
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eaili5.core.errors import error_body
from eaili5.core.kv import KV
from eaili5.core.logging import cloud_trace, request_id_var, trace_var
from eaili5.core.metrics import Metrics
from eaili5.core.settings import Settings

logger = logging.getLogger("eaili5.access")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Paths never rate limited or counted as API traffic: probes and metrics scrapes.
_INFRA_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


async def send_json_error(
    send: Send, status: int, kind: str, detail: str, headers: dict[str, str] | None = None
) -> None:
    body = orjson.dumps(error_body(kind, detail))
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


def _new_request_id() -> str:
    # Correlates log lines; it is not a secret, so a PRNG draw does instead of a getrandom() syscall.
    return f"{random.getrandbits(64):016x}"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _route_label(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path:
        return str(path)
    return "static" if not scope["path"].startswith("/api/") else "unmatched"


_WALLETCONNECT_HTTPS = (
    " https://rpc.walletconnect.org https://rpc.walletconnect.com https://pulse.walletconnect.org"
    " https://api.web3modal.org https://keys.walletconnect.org"
)


class SecurityHeaders:
    """Headers every response carries; the SPA's CSP allows our own origin and its WebSocket."""

    def __init__(self, settings: Settings) -> None:
        ancestors = settings.frame_ancestors
        self.api = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
            (b"cross-origin-resource-policy", b"same-site"),
        ]
        # WalletConnect's HTTPS APIs (RPC, the QR modal's wallet list); its relay is wss:, already allowed.
        walletconnect = _WALLETCONNECT_HTTPS if settings.walletconnect_project_id else ""
        spa_csp = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: https:; connect-src 'self' ws: wss:{walletconnect}; "
            "font-src 'self' data:; "
            f"object-src 'none'; base-uri 'self'; frame-ancestors {ancestors}"
        )
        self.spa = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"content-security-policy", spa_csp.encode()),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        if settings.public_url.startswith("https://"):
            hsts = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
            self.api.append(hsts)
            self.spa.append(hsts)

    def for_path(self, path: str) -> list[tuple[bytes, bytes]]:
        return self.spa if not (path.startswith("/api/") or path in _INFRA_PATHS) else self.api


class RequestContextMiddleware:
    """Request id, Cloud Trace id, access log, metrics and security headers for HTTP requests."""

    def __init__(self, app: ASGIApp, settings: Settings, metrics: Metrics) -> None:
        self.app, self.settings, self.metrics = app, settings, metrics
        self.security = SecurityHeaders(settings)
        # Labelled metric children by (method, route, status): `labels()` takes a lock and builds a key on
        # every call; routes are templates, so this stays as small as the metrics themselves.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def _series(self, method: str, route: str, status: int) -> tuple[Any, Any]:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (
                self.metrics.http_requests.labels(method, route, str(status)),
                self.metrics.http_latency.labels(method, route),
            )
        return children

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _REQUEST_ID.match(incoming) else _new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        id_token = request_id_var.set(request_id)
        trace_token = trace_var.set(
            cloud_trace(_header(scope, b"x-cloud-trace-context"), self.settings.gcp_project)
        )
        status = 500
        extra_headers = [
            *self.security.for_path(scope["path"]),
            (b"x-request-id", request_id.encode()),
        ]
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *extra_headers]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            self._record(scope, status, time.perf_counter() - started)
            request_id_var.reset(id_token)
            trace_var.reset(trace_token)

    def _record(self, scope: Scope, status: int, elapsed: float) -> None:
        route = _route_label(scope)
        count, latency = self._series(scope["method"], route, status)
        count.inc()
        latency.observe(elapsed)
        if scope["path"] in _INFRA_PATHS or not logger.isEnabledFor(logging.INFO):
            return
        # Route template only: raw paths and query strings may carry addresses or tokens.
        logger.info(
            "%s %s %s",
            scope["method"],
            route,
            status,
            extra={
                "http": {
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "latency_ms": round(elapsed * 1000, 2),
                }
            },
        )


class BodySizeLimitMiddleware:
    """Refuse request bodies over the limit, whether announced by Content-Length or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await send_json_error(send, 413, "PayloadTooLarge", self._too_large())
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # An HTTPException passes through FastAPI's body parsing unchanged.
                    raise HTTPException(413, self._too_large())
            return message

        await self.app(scope, counting_receive, send)

    def _too_large(self) -> str:
        return f"The request body is larger than {self.max_bytes} bytes."


class RateLimitMiddleware:
    """Default per-client-IP limit on the API; 429 with Retry-After when exceeded."""

    def __init__(self, app: ASGIApp, kv: KV, limit: str, metrics: Metrics) -> None:
        self.app, self.kv, self.limit, self.metrics = app, kv, limit, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        try:
            result = await self.kv.hit_rate_limit(self.limit, "ip", client_ip(scope))
        except Exception:
            # Fail open: a KV outage must not take the whole API down with it.
            logger.warning("rate limiter unavailable; allowing request", exc_info=True)
            await self.app(scope, receive, send)
            return
        if not result.allowed:
            self.metrics.rate_limited.labels("ip").inc()
            detail = f"Too many requests. Try again in {result.retry_after_seconds} s."
            await send_json_error(
                send, 429, "RateLimited", detail, {"Retry-After": str(result.retry_after_seconds)}
            )
            return
        await self.app(scope, receive, send)


def client_ip(scope: MutableMapping[str, Any]) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
