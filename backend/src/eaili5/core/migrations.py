"""Run Alembic from code (the CLI and the tests), with the settings we were given."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from eaili5.core.settings import Settings

BACKEND_DIR = Path(__file__).resolve().parents[3]


def alembic_config(settings: Settings) -> Config:
    config = Config(str(BACKEND_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(BACKEND_DIR / "migrations"))
    config.attributes["settings"] = settings
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    command.upgrade(alembic_config(settings), revision)


def downgrade(settings: Settings, revision: str = "base") -> None:
    command.downgrade(alembic_config(settings), revision)


def check(settings: Settings) -> None:
    """Raise if the models and the migrations disagree (alembic check)."""
    command.check(alembic_config(settings))
