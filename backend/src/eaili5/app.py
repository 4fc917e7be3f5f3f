"""`create_app()` builds the whole app from settings; the lifespan opens and closes its backends."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from eaili5 import __version__
from eaili5.auth.deps import document_unauthorized
from eaili5.auth.errors import install_sign_in_error_handler
from eaili5.auth.housekeeping import purge_forever
from eaili5.auth.manifest import embed_meta_tag
from eaili5.auth.router import router as auth_router
from eaili5.auth.service import SessionCache
from eaili5.auth.wallet_router import account_router, manifest_router
from eaili5.auth.wallet_router import router as wallet_router
from eaili5.content.readability import reading_grade
from eaili5.core.db import Database, create_engine
from eaili5.core.errors import document_validation_errors, error_responses, install_error_handlers
from eaili5.core.kv import create_kv
from eaili5.core.logging import configure_logging
from eaili5.core.metrics import Metrics
from eaili5.core.middleware import (
    BodySizeLimitMiddleware,
    RateLimitMiddleware,
    RequestContextMiddleware,
)
from eaili5.core.settings import Settings, load_settings, redact_url
from eaili5.core.spa import SPAStaticFiles, frontend_missing_page, runtime_config_js
from eaili5.core.state import AppState
from eaili5.core.tasks import measure_loop_lag, stop_task
from eaili5.learning.router import router as learning_router
from eaili5.learning.subscribers import subscribe_learning
from eaili5.market.poller import MarketPoller
from eaili5.market.router import router as market_router
from eaili5.market.service import MarketService
from eaili5.market.snapshot import load_snapshot_tokens
from eaili5.market.sources import build_providers
from eaili5.portfolio.fills import PortfolioTicker
from eaili5.portfolio.live import ValueUpdates
from eaili5.portfolio.router import leaderboard_router
from eaili5.portfolio.router import router as portfolio_router
from eaili5.portfolio.service import PortfolioService
from eaili5.realtime.hub import Hub
from eaili5.realtime.router import router as realtime_router
from eaili5.realtime.wire import ServerSendMiddleware
from eaili5.system.router import router as system_router
from eaili5.tutor.router import router as tutor_router
from eaili5.tutor.runtime import tutor_runtime

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, configure_logs: bool = True) -> FastAPI:
    settings = settings or load_settings()
    if configure_logs:
        configure_logging(settings.log_level, settings.log_format)
    metrics = Metrics()
    kv = create_kv(settings)
    http = httpx.AsyncClient(timeout=10.0, headers={"User-Agent": f"eaili5/{__version__}"})
    tokens = load_snapshot_tokens()
    market = MarketService(settings, kv, build_providers(settings, http, tokens), tokens)
    hub = Hub(kv, settings, metrics)
    sessions = SessionCache(settings.session_local_cache_seconds)
    state = AppState(settings, Database(create_engine(settings)), kv, metrics, hub, http, market, sessions)
    subscribe_learning(state.events)

    app = FastAPI(
        title="EAILI5 API",
        version=__version__,
        description="Explain AI Like I'm 5: an AI tutor that teaches crypto to newcomers on Base.",
        lifespan=_lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        # Operation ids are the endpoint function names, so the generated client reads well.
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.eaili5 = state
    install_error_handlers(app)
    install_sign_in_error_handler(app)
    routers = (
        system_router,
        auth_router,
        wallet_router,
        account_router,
        manifest_router,
        realtime_router,
        market_router,
        portfolio_router,
        leaderboard_router,
        learning_router,
        tutor_router,
    )
    document_unauthorized(routers)
    document_validation_errors(routers)
    for router in routers:
        # Every /api route sits behind the per-IP limiter and needs the database or cache.
        api = router not in (system_router, manifest_router)
        app.include_router(router, responses=error_responses(429, 503) if api else None)
    _mount_frontend(app, settings)
    _add_middleware(app, state)
    return app


def _add_middleware(app: FastAPI, state: AppState) -> None:
    settings = state.settings
    # Added innermost first: the last one added sees the request first.
    app.add_middleware(
        RateLimitMiddleware, kv=state.kv, limit=settings.rate_limit_default, metrics=state.metrics
    )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
        expose_headers=["Retry-After", "X-Request-ID"],
        max_age=600,
    )
    app.add_middleware(RequestContextMiddleware, settings=settings, metrics=state.metrics)
    # Rewrites the client address from X-Forwarded-For, but only for proxies we trust.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    # Outermost: keeps the server's own WebSocket `send` for direct broadcast writes (realtime/wire.py).
    app.add_middleware(ServerSendMiddleware)


def _mount_frontend(app: FastAPI, settings: Settings) -> None:
    if (settings.frontend_dist / "index.html").is_file():
        config_js = runtime_config_js(settings.walletconnect_project_id)
        spa = SPAStaticFiles(settings.frontend_dist, embed_meta_tag(settings), config_js)
        app.mount("/", spa, name="frontend")
    else:
        app.add_api_route("/", frontend_missing_page, include_in_schema=False)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    state: AppState = app.state.eaili5
    await state.kv.start()
    await state.session_cache.start(state.kv)
    await state.hub.start()
    stopping = asyncio.Event()
    poller = app.state.market_poller = _market_poller(state)  # tests wait on its tick hook
    background = [
        asyncio.create_task(purge_forever(state, stopping), name="sessions-purge"),
        asyncio.create_task(poller.run(stopping), name="market-poller"),
        asyncio.create_task(_value_updates(state).run(stopping), name="portfolio-value-updates"),
        asyncio.create_task(_warm_up_tutor(app), name="tutor-warm-up"),
        asyncio.create_task(measure_loop_lag(state.metrics.loop_lag, stopping), name="loop-lag"),
    ]
    # Objects created during start-up live for the whole process: keep them out of GC scans.
    gc.collect()
    gc.freeze()
    logger.info(
        "EAILI5 started",
        extra={
            "backends": state.settings.backends(),
            "database": redact_url(state.settings.sqlalchemy_url),
        },
    )
    try:
        yield
    finally:
        stopping.set()
        for task in background:
            await stop_task(task)
        await state.events.drain()
        await state.hub.stop()
        await state.session_cache.stop(state.kv)
        await state.kv.close()
        await state.http.aclose()
        await state.db.dispose()


async def _warm_up_tutor(app: FastAPI) -> None:
    """Build the tutor (its knowledge index) now, on a worker thread, so the first question is not the one
    that waits for it. /readyz waits for this (`AppState.warm_up`): ~2 s of CPU in a new process that
    requests would otherwise share."""
    state: AppState = app.state.eaili5
    try:
        await tutor_runtime(app).service()
        # The reading-grade check loads its syllable dictionary (~130k words) on first use: load it now,
        # on a worker thread, rather than in the first reply.
        await asyncio.to_thread(reading_grade, "A wallet keeps your keys safe.")
    except Exception as exc:  # the first chat message will try again and report the error to its user
        logger.exception("tutor warm-up failed")
        state.warm_up = f"failed: {type(exc).__name__}"  # ready anyway: everything else works
        return
    # The knowledge index and that dictionary (~300k objects) live as long as the process, like what
    # start-up froze: unfrozen, every full collection walks them again, a pause of 100+ ms that lands on
    # whichever requests are in flight (bench/REPORT.md, API tail latency).
    gc.collect()
    gc.freeze()
    state.warm_up = "ok"


def _market_poller(state: AppState) -> MarketPoller:
    settings = state.settings
    interval = (
        settings.market_tick_seconds if state.market.is_simulated else settings.market_price_refresh_seconds
    )
    ticker = PortfolioTicker(
        state.db, PortfolioService(state.market, settings), state.hub, state.kv, state.events
    )
    return MarketPoller(
        state.market, state.hub, state.kv, interval, settings.instance_id, on_tick=ticker.on_tick
    )


def _value_updates(state: AppState) -> ValueUpdates:
    return ValueUpdates(state.db, PortfolioService(state.market, state.settings), state.hub, state.kv)
