"""Test fixtures: every storage-touching test runs on each available stack.

- `embedded`: SQLite file + in-process KV (always).
- `postgres-redis`: real PostgreSQL and Redis, when EAILI5_TEST_DATABASE_URL and
  EAILI5_TEST_REDIS_URL are set. If they are set and a server is down, tests fail; never skip.

Isolation: the schema is migrated once per run (which also proves the migrations); after each
test every table is emptied. Redis keys get a fresh prefix per test.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import text

from eaili5.app import create_app
from eaili5.core import migrations
from eaili5.core.db import create_engine
from eaili5.core.settings import Settings
from eaili5.models import Base
from tests.summary import SUMMARY
from tests.tutor.loopback_llm import LoopbackLLM

TEST_DATABASE_URL = os.environ.get("EAILI5_TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("EAILI5_TEST_REDIS_URL")
STACKS = ["embedded"] + (["postgres-redis"] if TEST_DATABASE_URL and TEST_REDIS_URL else [])
if bool(TEST_DATABASE_URL) != bool(TEST_REDIS_URL):
    raise RuntimeError("Set both EAILI5_TEST_DATABASE_URL and EAILI5_TEST_REDIS_URL, or neither.")


def make_settings(**overrides: Any) -> Settings:
    """Settings for tests: explicit values only, never the developer's .env."""
    values: dict[str, Any] = {
        "environment": "test",
        "frontend_dist": Path("/nonexistent-frontend-dist"),
        "rate_limit_default": "100000/minute",
        "rate_limit_session_create": "100000/minute",
        "openai_api_key": None,
        "tavily_api_key": None,
        "market_sources": [],
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy (faster than migrating per test)."""
    directory = tmp_path_factory.mktemp("sqlite-template")
    settings = make_settings(data_dir=directory, database_url=f"sqlite:///{directory / 'template.db'}")
    migrations.upgrade(settings)
    return directory / "template.db"


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    """Rebuild the test database from migrations once: downgrade to base, then upgrade to head."""
    assert TEST_DATABASE_URL
    settings = make_settings(database_url=TEST_DATABASE_URL)
    migrations.downgrade(settings, "base")
    migrations.upgrade(settings)
    return TEST_DATABASE_URL


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module to change settings for its tests."""
    return {}


@pytest.fixture
def settings(
    stack: str, tmp_path: Path, request: pytest.FixtureRequest, settings_overrides: dict[str, Any]
) -> Iterator[Settings]:
    if stack == "embedded":
        template = request.getfixturevalue("sqlite_template")
        database = tmp_path / "eaili5.db"
        shutil.copyfile(template, database)
        yield make_settings(data_dir=tmp_path, database_url=f"sqlite:///{database}", **settings_overrides)
        return
    database_url = request.getfixturevalue("postgres_migrated")
    prefix = f"test:{secrets.token_hex(4)}:"
    current = make_settings(
        data_dir=tmp_path,
        database_url=database_url,
        redis_url=TEST_REDIS_URL,
        kv_prefix=prefix,
        **settings_overrides,
    )
    yield current
    asyncio.run(_truncate_postgres(current))


async def _truncate_postgres(settings: Settings) -> None:
    engine = create_engine(settings)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings, configure_logs=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def new_guest(client: httpx.AsyncClient) -> tuple[str, dict[str, Any]]:
    response = await client.post("/api/session")
    assert response.status_code == 201, response.text
    body = response.json()
    return body["token"], body["user"]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class LiveServer:
    """The app served by a real uvicorn on a free loopback port (for WebSocket tests)."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings, configure_logs=False)
        self.config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=0,
            log_config=None,
            lifespan="on",
            ws_max_size=settings.ws_max_frame_bytes * 4,  # let oversize frames reach our own check
            ws_per_message_deflate=False,
            # A test that fails while a client still holds a socket must not hang the suite at teardown:
            # uvicorn otherwise waits for every connection to close, and teardown would wait with it.
            timeout_graceful_shutdown=5,
        )
        self.server = uvicorn.Server(self.config)
        self._task: asyncio.Task[None] | None = None
        self.port = 0

    async def start(self) -> None:
        self._task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.server.should_exit = True
        if self._task:
            await self._task

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"


@pytest.fixture
async def live_server(settings: Settings) -> AsyncIterator[LiveServer]:
    server = LiveServer(settings)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the figures tests reported through tests.summary.report()."""
    for section, lines in SUMMARY.items():
        terminalreporter.write_sep("-", section)
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
async def llm() -> AsyncIterator[LoopbackLLM]:
    """A loopback OpenAI-compatible server (tests/tutor/loopback_llm.py), for the tutor and chaos tests."""
    server = LoopbackLLM()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
