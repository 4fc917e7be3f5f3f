from __future__ import annotations

from pathlib import Path

import pytest

from eaili5.core.settings import ConfigError, load_settings, normalize_database_url, redact_url
from tests.conftest import make_settings

DATA = Path("/tmp/eaili5-data")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "OPENAI_API_KEY",
        "EAILI5_ENVIRONMENT",
        "EAILI5_ALLOWED_ORIGINS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_are_the_embedded_mode() -> None:
    settings = load_settings()
    assert settings.backends() == {
        "database": "sqlite",
        "kv": "memory",
        "tutor": "offline",
        "market": "simulated",
        "search": "knowledge-base",
    }
    assert settings.sqlalchemy_url.endswith("/.data/eaili5.db")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h:5432/db", "postgresql+asyncpg://u:p@h:5432/db"),
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:///tmp/x.db", "sqlite+aiosqlite:///tmp/x.db"),
        ("sqlite+aiosqlite:///tmp/x.db", "sqlite+aiosqlite:///tmp/x.db"),
        (None, f"sqlite+aiosqlite:///{DATA / 'eaili5.db'}"),
    ],
)
def test_database_url_forms(given: str | None, expected: str) -> None:
    assert normalize_database_url(given, DATA) == expected


def test_unsupported_database_scheme_is_refused() -> None:
    with pytest.raises(ConfigError, match="mysql"):
        normalize_database_url("mysql://u@h/db", DATA)


def test_standard_names_and_prefixed_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    monkeypatch.setenv("EAILI5_REDIS_URL", "redis://h:6379/0")
    monkeypatch.setenv("EAILI5_ALLOWED_ORIGINS", "https://a.example, https://b.example")
    settings = load_settings()
    assert settings.database_backend == "postgresql"
    assert settings.kv_backend == "redis"
    assert settings.allowed_origins == ["https://a.example", "https://b.example"]


def test_secret_from_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "openai"
    secret.write_text("sk-from-file\n")
    monkeypatch.setenv("OPENAI_API_KEY_FILE", str(secret))
    settings = load_settings()
    assert settings.openai_api_key is not None
    assert settings.openai_api_key.get_secret_value() == "sk-from-file"
    assert settings.tutor_backend == "openai-compatible"


def test_secret_given_twice_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "db"
    secret.write_text("postgres://u@h/db")
    monkeypatch.setenv("DATABASE_URL_FILE", str(secret))
    monkeypatch.setenv("DATABASE_URL", "postgres://other@h/db")
    with pytest.raises(ConfigError, match="not both"):
        load_settings()


def test_unreadable_secret_file_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL_FILE", "/nonexistent/secret")
    with pytest.raises(ConfigError, match="REDIS_URL_FILE"):
        load_settings()


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("EAILI5_LOG_LEVEL=DEBUG\nTAVILY_API_KEY=tvly-x\n")
    settings = load_settings()
    assert settings.log_level == "DEBUG"
    assert settings.search_backend == "tavily"


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"redis_url": "redis://h"}, "PostgreSQL"),
        ({"database_url": "postgres://u@h/db"}, "REDIS_URL is required"),
        (
            {
                "database_url": "postgres://u@h/db",
                "redis_url": "redis://h",
                "allowed_origins": ["*"],
            },
            "not '\\*'",
        ),
    ],
)
def test_production_refuses_unsafe_configs(overrides: dict[str, object], complaint: str) -> None:
    with pytest.raises(ConfigError, match=complaint):
        load_settings(environment="production", **overrides)


def test_production_accepts_a_safe_config() -> None:
    settings = load_settings(
        environment="production",
        database_url="postgres://u@h/db",
        redis_url="redis://h",
        allowed_origins=["https://eaili5.example"],
    )
    assert settings.backends()["database"] == "postgresql"


def test_redact_hides_passwords() -> None:
    assert redact_url("postgresql://user:hunter2@db:5432/x") == "postgresql://user:***@db:5432/x"
    assert redact_url("redis://h:6379") == "redis://h:6379"


def test_make_settings_ignores_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("EAILI5_LOG_LEVEL=DEBUG\n")
    assert make_settings().log_level == "INFO"
