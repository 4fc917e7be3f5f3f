"""Probes, metrics and what this deployment runs on."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel

from eaili5 import __version__
from eaili5.core.deps import State
from eaili5.core.errors import error_responses

router = APIRouter(tags=["system"])
READY_CHECK_TIMEOUT_SECONDS = 2.0


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    checks: dict[str, str]


class Meta(BaseModel):
    version: str
    environment: str
    backends: dict[str, str]


class Connections(BaseModel):
    instance: int
    total: int
    instances: int


@router.get("/healthz", response_model=Health)
async def read_health() -> Health:
    """The process is alive. Checks no dependency, so a slow database never restarts us."""
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
async def read_readiness(state: State) -> Response:
    """Ready to serve: the database and the KV layer answer, and the start-up warm-up has ended (a
    failed one does not hold readiness back: the tutor retries on first use). 503 names what is not."""
    warm_up = state.warm_up  # as of the request: the checks below wait on I/O
    checks = {
        "database": await _check(state.db.ping()),
        "kv": await _check(state.kv.ping()),
        "tutor": warm_up,
    }
    ok = checks["database"] == "ok" and checks["kv"] == "ok" and warm_up != "warming"
    body = Readiness(status="ok" if ok else "unavailable", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)


async def _check(probe: object) -> str:
    try:
        await asyncio.wait_for(probe, READY_CHECK_TIMEOUT_SECONDS)  # type: ignore[arg-type]
    except TimeoutError:
        return "timeout"
    except Exception as exc:
        return f"down: {type(exc).__name__}"
    return "ok"


@router.get("/metrics", include_in_schema=False)
async def read_metrics(state: State) -> Response:
    return Response(state.metrics.render(), media_type=CONTENT_TYPE_LATEST)


@router.get("/api/meta", response_model=Meta, responses=error_responses(429))
async def read_meta(state: State) -> Meta:
    """Version, environment and which backend serves each concern (never secrets)."""
    return Meta(
        version=__version__,
        environment=state.settings.environment,
        backends=state.settings.backends(),
    )


@router.get("/api/realtime/connections", response_model=Connections, responses=error_responses(429, 503))
async def read_connections(state: State) -> Connections:
    """Open WebSocket connections on this instance and on every live instance."""
    counts = await state.hub.report_presence()
    return Connections(instance=len(state.hub.connections), total=sum(counts.values()), instances=len(counts))
