"""Chaos fixtures: our own PostgreSQL and Redis servers, which tests stop and restart under traffic.

These never touch the shared servers of EAILI5_TEST_DATABASE_URL / EAILI5_TEST_REDIS_URL: stopping
those would break every other test. One PostgreSQL cluster serves the whole run (initdb costs
seconds); every test gets a fresh, migrated database in it and a fresh redis-server.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from eaili5.app import create_app
from eaili5.core import migrations
from eaili5.core.settings import Settings
from tests.chaos.servers import ThrowawayPostgres, ThrowawayRedis
from tests.conftest import make_settings


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "chaos: stops and restarts its own PostgreSQL/Redis servers")


@pytest.fixture(scope="session")
def chaos_postgres() -> Iterator[ThrowawayPostgres]:
    server = ThrowawayPostgres()
    server.start()
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture
def chaos_redis() -> Iterator[ThrowawayRedis]:
    server = ThrowawayRedis()
    server.start()
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture
def chaos_database_url(chaos_postgres: ThrowawayPostgres) -> str:
    name = f"chaos_{secrets.token_hex(4)}"
    asyncio.run(_create_database(chaos_postgres.url, name))
    url = chaos_postgres.url.rsplit("/", 1)[0] + f"/{name}"
    migrations.upgrade(make_settings(database_url=url))
    return url


async def _create_database(admin_url: str, name: str) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


@pytest.fixture
def chaos_settings(
    chaos_database_url: str, chaos_redis: ThrowawayRedis, tmp_path: Path, settings_overrides: dict[str, Any]
) -> Settings:
    return make_settings(
        data_dir=tmp_path,
        database_url=chaos_database_url,
        redis_url=chaos_redis.url,
        kv_prefix=f"chaos:{secrets.token_hex(3)}:",
        **settings_overrides,
    )


@pytest.fixture
async def chaos_app(chaos_settings: Settings) -> AsyncIterator[Any]:
    application = create_app(chaos_settings, configure_logs=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def chaos_client(chaos_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=chaos_app, client=("203.0.113.20", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=30) as http:
        yield http
