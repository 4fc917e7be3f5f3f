"""Fuzzing fixtures: one real uvicorn server per stack for a whole module, in its own thread.

Schemathesis drives the API with blocking HTTP calls, so the server runs on its own event loop in a
background thread (the app's DB engine and KV client live on that loop), shared by every example.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from eaili5.app import create_app
from eaili5.core.settings import Settings
from tests.conftest import STACKS, TEST_REDIS_URL, _truncate_postgres, make_settings


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fuzz: hostile-input tests (schemathesis, WebSocket fuzzing)")


@dataclass
class ThreadedServer:
    settings: Settings
    base_url: str = ""

    def __post_init__(self) -> None:
        config = uvicorn.Config(
            create_app(self.settings, configure_logs=False),
            host="127.0.0.1",
            port=0,
            log_config=None,
            lifespan="on",
            ws_per_message_deflate=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.serve()), daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the fuzz server did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)

    def new_guest_token(self) -> str:
        response = httpx.post(f"{self.base_url}/api/session", timeout=10)
        assert response.status_code == 201, response.text
        return str(response.json()["token"])


def _stack_settings(stack: str, directory: Path, request: pytest.FixtureRequest) -> Settings:
    if stack == "embedded":
        database = directory / "eaili5.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), database)
        return make_settings(data_dir=directory, database_url=f"sqlite:///{database}")
    return make_settings(
        data_dir=directory,
        database_url=request.getfixturevalue("postgres_migrated"),
        redis_url=TEST_REDIS_URL,
        kv_prefix=f"test:fuzz:{secrets.token_hex(4)}:",
    )


@pytest.fixture(scope="module", params=STACKS)
def fuzz_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ThreadedServer]:
    settings = _stack_settings(str(request.param), tmp_path_factory.mktemp("fuzz"), request)
    server = ThreadedServer(settings)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        if settings.redis_url:
            asyncio.run(_truncate_postgres(settings))
