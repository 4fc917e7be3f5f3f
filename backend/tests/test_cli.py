from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
