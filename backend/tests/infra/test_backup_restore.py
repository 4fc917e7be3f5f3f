"""infra/scripts/db-backup.sh and db-restore.sh on the CI PostgreSQL: data created through the API
survives backup, drop and restore into an empty database, and the API returns the same data.
Needs EAILI5_TEST_DATABASE_URL (CI sets it); embedded-only runs skip.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.infra.support import REPO, backend_server, clean_env, http, migrate, which

SERVER_URL = os.environ.get("EAILI5_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not SERVER_URL, reason="EAILI5_TEST_DATABASE_URL is not set (embedded-only run; CI sets it)"
)


def _with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def _admin(sql: str) -> None:
    psql = which("psql")
    assert psql, "psql is needed with EAILI5_TEST_DATABASE_URL"
    subprocess.run(
        [
            str(psql),
            "--no-psqlrc",
            "-v",
            "ON_ERROR_STOP=1",
            "-qc",
            sql,
            _with_database(SERVER_URL, "postgres"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """Two throwaway databases on the test server: the live one and the empty restore target."""
    suffix = secrets.token_hex(4)
    names = (f"eaili5_backup_src_{suffix}", f"eaili5_backup_dst_{suffix}")
    for name in names:
        _admin(f"CREATE DATABASE {name}")
    try:
        yield _with_database(SERVER_URL, names[0]), _with_database(SERVER_URL, names[1])
    finally:
        for name in names:
            _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(REPO / "infra/scripts" / name), *args], capture_output=True, text=True, timeout=120
    )


def _server_env(tmp_path: Path, database_url: str) -> dict[str, str]:
    return clean_env(
        EAILI5_ENVIRONMENT="test",
        DATABASE_URL=database_url,
        EAILI5_DATA_DIR=str(tmp_path / "data"),
        EAILI5_FRONTEND_DIST=str(tmp_path / "no-spa"),
    )


def _create_data(origin: str) -> tuple[str, str]:
    status, _, body = http("POST", f"{origin}/api/session")
    assert status == 201, body
    token = json.loads(body)["token"]
    status, _, body = http(
        "PATCH", f"{origin}/api/me/preferences", {"reading_level": "pro", "time_zone": "Europe/Paris"}, token
    )
    assert status == 200, body
    status, _, body = http(
        "POST", f"{origin}/api/chat", {"text": "What is a wallet?", "level": "eli5"}, token
    )
    assert status == 200, body
    conversation_id = json.loads(body)["conversation_id"]
    return token, conversation_id


def _snapshot(origin: str, token: str, conversation_id: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for path in ("/api/me", f"/api/conversations/{conversation_id}", "/api/conversations"):
        status, _, body = http("GET", f"{origin}{path}", token=token)
        assert status == 200, (path, body)
        result[path] = json.loads(body)
    return result


def test_backup_drop_restore_round_trip(tmp_path: Path, databases: tuple[str, str]) -> None:
    live, empty = databases
    env = _server_env(tmp_path, live)
    migrate(env)
    with backend_server(env, tmp_path / "before.log") as origin:
        token, conversation_id = _create_data(origin)
        before = _snapshot(origin, token, conversation_id)
    assert before["/api/me"]["preferences"]["reading_level"] == "pro"
    assert len(before[f"/api/conversations/{conversation_id}"]["messages"]) == 2

    dump = tmp_path / "eaili5.dump"
    backup = _script(
        "db-backup.sh", "--output", str(dump), live.replace("postgresql://", "postgresql+asyncpg://", 1)
    )
    assert backup.returncode == 0, backup.stderr
    assert backup.stdout.strip() == str(dump) and dump.stat().st_size > 0
    assert not Path(f"{dump}.partial").exists()

    _admin(f"DROP DATABASE {live.rsplit('/', 1)[1]} WITH (FORCE)")  # the disaster

    restore = _script("db-restore.sh", str(dump), empty)
    assert restore.returncode == 0, restore.stderr
    with backend_server(_server_env(tmp_path, empty), tmp_path / "after.log") as origin:
        after = _snapshot(origin, token, conversation_id)  # the same session token still works
    assert after == before

    # A second restore into the now non-empty database is refused and changes nothing.
    again = _script("db-restore.sh", str(dump), empty)
    assert again.returncode == 1
    assert "restore into an empty database" in again.stderr


def test_backup_refuses_without_a_database_url() -> None:
    result = subprocess.run(
        ["bash", str(REPO / "infra/scripts/db-backup.sh")],
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr
