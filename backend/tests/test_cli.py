from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import uvicorn

from eaili5 import cli
from tests.conftest import make_settings

BACKEND = Path(__file__).parents[1]
REPO = BACKEND.parent


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("EAILI5_", "DATABASE_URL", "REDIS_URL"))
    }
    return subprocess.run(
        [sys.executable, "-m", "eaili5.cli", *args],
        env={**clean, **env},
        cwd=BACKEND,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_check_config_names_backends_without_secrets(tmp_path: Path) -> None:
    result = run_cli(
        "check-config",
        OPENAI_API_KEY="sk-very-secret",
        DATABASE_URL="postgresql://app:db-password@db:5432/eaili5",
        REDIS_URL="redis://:redis-password@cache:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert "database: postgresql" in result.stdout
    assert "kv: redis" in result.stdout
    assert "tutor: openai-compatible" in result.stdout
    assert "market: simulated" in result.stdout
    assert "search: knowledge-base" in result.stdout
    for secret in ("sk-very-secret", "db-password", "redis-password"):
        assert secret not in result.stdout


def test_production_misconfiguration_exits_with_a_reason() -> None:
    result = run_cli("check-config", EAILI5_ENVIRONMENT="production")
    assert result.returncode == 2
    assert "Refusing to start in production" in result.stderr
    assert "REDIS_URL is required" in result.stderr


def test_migrate_creates_the_sqlite_database(tmp_path: Path) -> None:
    result = run_cli("migrate", EAILI5_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "eaili5.db").is_file()


def test_committed_openapi_document_is_current() -> None:
    """The frontend's client is generated from frontend/openapi.json: it must match the API."""
    result = run_cli("openapi")
    assert result.returncode == 0, result.stderr
    committed = json.loads((REPO / "frontend" / "openapi.json").read_text())
    assert json.loads(result.stdout) == committed, "run `make openapi` and commit the result"


def test_serve_refuses_workers_without_shared_storage(tmp_path: Path) -> None:
    result = run_cli("serve", "--workers", "2", EAILI5_DATA_DIR=str(tmp_path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "--workers 2 needs DATABASE_URL (PostgreSQL) and REDIS_URL" in lines[0]


def test_serve_refuses_workers_from_the_environment_without_redis(tmp_path: Path) -> None:
    result = run_cli(
        "serve",
        EAILI5_WORKERS="3",
        EAILI5_DATA_DIR=str(tmp_path),
        DATABASE_URL="postgresql://app@db:5432/eaili5",
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "eaili5: --workers 3 needs REDIS_URL: SQLite and the in-process KV cannot be shared between processes"
    )


def test_serve_refuses_reload_with_workers() -> None:
    result = run_cli(
        "serve",
        "--workers",
        "2",
        "--reload",
        DATABASE_URL="postgresql://app@db:5432/eaili5",
        REDIS_URL="redis://cache:6379/0",
    )
    assert result.returncode == 2
    assert "--reload runs one process" in result.stderr


def test_serve_rejects_a_worker_count_below_one() -> None:
    result = run_cli("serve", "--workers", "0")
    assert result.returncode == 2
    assert "must be at least 1" in result.stderr


def test_serve_rejects_a_negative_ping_interval() -> None:
    result = run_cli("serve", "--ws-ping-interval", "-1")
    assert result.returncode == 2
    assert "must be 0 (off) or more" in result.stderr


def test_serve_sends_websocket_protocol_pings_only_when_asked(tmp_path: Path) -> None:
    """Off by default (the idle timeout is the liveness rule); `--ws-ping-interval` turns them on, and a
    peer that misses one for as long is dropped. Checked on the uvicorn config the options build."""
    settings = make_settings(data_dir=tmp_path)
    default = uvicorn.Config(
        cli.APP_FACTORY, **cli.uvicorn_options(settings, cli._parser().parse_args(["serve"]), 1)
    )
    assert default.ws_ping_interval is None and default.ws_ping_timeout is None
    args = cli._parser().parse_args(["serve", "--ws-ping-interval", "30"])
    asked = uvicorn.Config(cli.APP_FACTORY, **cli.uvicorn_options(settings, args, 1))
    assert asked.ws_ping_interval == asked.ws_ping_timeout == 30.0


async def _nodelay_of_accepted_connection(listener: socket.socket) -> int:
    """Serve on `listener` as uvicorn's workers do (create_server(sock=...)), connect once, and read
    TCP_NODELAY on the server side of the accepted connection."""
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
    try:
        _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        nodelay = await asyncio.wait_for(accepted, timeout=10)
        writer.close()
        return nodelay
    finally:
        server.close()


def test_the_shared_worker_listener_gives_accepted_connections_tcp_nodelay() -> None:
    """uvicorn's shared listener (protocol 0) leaves Nagle on for every connection (~40 ms per back-to-back
    response); re-wrapped, asyncio turns it off. The first assert shows the problem is real on this kernel."""
    plain = socket.socket(socket.AF_INET)  # how uvicorn's Config.bind_socket opens it
    plain.bind(("127.0.0.1", 0))
    assert asyncio.run(_nodelay_of_accepted_connection(plain)) == 0

    uvicorn_like = socket.socket(socket.AF_INET)
    uvicorn_like.bind(("127.0.0.1", 0))
    listener = cli._with_real_protocol(uvicorn_like)
    assert listener.proto == socket.IPPROTO_TCP
    assert asyncio.run(_nodelay_of_accepted_connection(listener)) != 0
