"""`eaili5 serve | migrate | check-config | openapi`."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sys
import tempfile
from typing import Any

from eaili5.core.settings import ConfigError, Settings, load_settings, redact_url

# Read by prometheus_client multiprocess mode; set before any worker imports prometheus_client.
MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
APP_FACTORY = "eaili5.app:create_app"


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"eaili5: configuration error: {exc}", file=sys.stderr)
        return 2
    result: int = args.handler(settings, args)
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="eaili5", description="EAILI5 backend")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the API, the WebSocket and (embedded mode) the SPA")
    serve.add_argument("--host", default="127.0.0.1")
    # Cloud Run (and most container hosts) say which port to listen on through $PORT.
    serve.add_argument(
        "--port", type=int, default=int(os.environ.get("PORT") or 8000), help="default: $PORT, else 8000"
    )
    serve.add_argument("--reload", action="store_true", help="restart on code changes (development)")
    serve.add_argument(
        "--loop",
        choices=("asyncio", "uvloop"),
        default="asyncio",
        # Nor did uvloop make the tick fan-out cheaper: send() per socket dominates (bench/market_fanout).
        help="event loop; asyncio is the default because uvloop accepted connection storms slowly here",
    )
    serve.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        help="server processes (default: $EAILI5_WORKERS, else 1); above 1 needs DATABASE_URL and REDIS_URL",
    )
    serve.add_argument(
        "--ws-ping-interval",
        type=_non_negative_float,
        default=0.0,
        metavar="SECONDS",
        help="WebSocket protocol pings from the server, dropping peers that miss one (default 0: off; "
        "a socket that sends nothing for EAILI5_WS_IDLE_TIMEOUT_SECONDS is closed anyway)",
    )
    serve.set_defaults(handler=_serve)

    migrate = commands.add_parser("migrate", help="apply database migrations (alembic upgrade head)")
    migrate.set_defaults(handler=_migrate)

    check = commands.add_parser("check-config", help="print which backend serves each concern")
    check.set_defaults(handler=_check_config)

    openapi = commands.add_parser("openapi", help="print the OpenAPI document as JSON")
    openapi.set_defaults(handler=_openapi)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError("must be 0 (off) or more")
    return value


def _workers_refusal(settings: Settings, workers: int, reload: bool) -> str | None:
    """Why `workers` processes cannot run with these settings, or None when they can."""
    if workers == 1:
        return None
    if reload:
        return "--reload runs one process; drop --workers or set it to 1"
    # Workers are separate processes: sessions, rate limits, pub/sub and locks must live outside them.
    missing = [
        name
        for name, ok in (
            ("DATABASE_URL (PostgreSQL)", settings.database_backend == "postgresql"),
            ("REDIS_URL", settings.kv_backend == "redis"),
        )
        if not ok
    ]
    if missing:
        return (
            f"--workers {workers} needs {' and '.join(missing)}: "
            "SQLite and the in-process KV cannot be shared between processes"
        )
    return None


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    workers = args.workers or settings.workers
    refusal = _workers_refusal(settings, workers, bool(args.reload))
    if refusal:
        print(f"eaili5: {refusal}", file=sys.stderr)
        return 2
    if workers == 1:
        _run_uvicorn(settings, args, workers)
        return 0
    # Each worker writes its metric values to files here; /metrics sums them (prometheus_client
    # multiprocess mode). It must be set before a worker imports prometheus_client, and start empty.
    metrics_dir = tempfile.mkdtemp(prefix="eaili5-metrics-")
    os.environ[MULTIPROC_DIR_ENV] = metrics_dir
    try:
        _run_uvicorn(settings, args, workers)
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


def _run_uvicorn(settings: Settings, args: argparse.Namespace, workers: int) -> None:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    options = uvicorn_options(settings, args, workers)
    if workers == 1:
        uvicorn.run(APP_FACTORY, **options)
        return
    config = uvicorn.Config(APP_FACTORY, **options)
    Multiprocess(config, sockets=[_with_real_protocol(config.bind_socket())]).run()


def uvicorn_options(settings: Settings, args: argparse.Namespace, workers: int) -> dict[str, Any]:
    ping = float(args.ws_ping_interval) or None
    return {
        "factory": True,
        "host": args.host,
        "port": int(args.port),
        "reload": bool(args.reload),
        "workers": workers,
        "loop": str(args.loop),
        # The app applies X-Forwarded-* itself, only for EAILI5_TRUSTED_PROXIES.
        "proxy_headers": False,
        "server_header": False,
        "ws_max_size": settings.ws_max_frame_bytes,
        "ws_per_message_deflate": False,  # broadcast frames are small; compression costs more than it saves
        # Off by default. Liveness is the app's idle timeout: a socket that sends no frame for
        # EAILI5_WS_IDLE_TIMEOUT_SECONDS (75 s) is closed, and clients send a `ping` frame every 20 s.
        # A protocol pong never counted as a sign of life (uvicorn keeps it from the app), so protocol
        # pings only added a write, a read and two timers per socket every 20 s: about a third of an
        # idle socket's server CPU, on the event loop that writes the ticks (bench/ws_capacity/REPORT.md).
        "ws_ping_interval": ping,
        "ws_ping_timeout": ping,
        "timeout_graceful_shutdown": 10,
        "log_config": None,
    }


def _with_real_protocol(listener: socket.socket) -> socket.socket:
    """The shared listener of several workers, re-wrapped so its accepted sockets get TCP_NODELAY.

    uvicorn opens it as `socket.socket(family)`, protocol number 0; accepted sockets copy that, and asyncio
    turns Nagle off only when the protocol is IPPROTO_TCP. With Nagle on, a response written in two pieces
    waits for the client's delayed ACK: ~40 ms on back-to-back requests (seen with bench/api at two
    workers). Built from the descriptor alone, Python reads the real protocol from the kernel.
    """
    return socket.socket(fileno=listener.detach())


def _migrate(settings: Settings, _: argparse.Namespace) -> int:
    from eaili5.core import migrations

    migrations.upgrade(settings)
    print(f"eaili5: database is at the latest migration ({redact_url(settings.sqlalchemy_url)})")
    return 0


def _check_config(settings: Settings, _: argparse.Namespace) -> int:
    print(f"environment: {settings.environment}")
    for concern, backend in settings.backends().items():
        print(f"{concern}: {backend}")
    print(f"database url: {redact_url(settings.sqlalchemy_url)}")
    if settings.redis_url:
        print(f"redis url: {redact_url(settings.redis_url)}")
    print(f"allowed origins: {', '.join(settings.allowed_origins)}")
    return 0


def _openapi(settings: Settings, _: argparse.Namespace) -> int:
    from eaili5.app import create_app

    document = create_app(settings, configure_logs=False).openapi()
    print(json.dumps(document, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
