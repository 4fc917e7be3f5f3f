"""Tutor: conversations and messages.

Revision ID: d6b3e4f5a7c8
Revises: c5a2d3e4f6b7
Create Date: 2026-11-26 18:20:00+00:00
"""

from collections.abc import Sequence

revision: str = "d6b3e4f5a7c8"
down_revision: str | None = "c5a2d3e4f6b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # placeholder: filled in by the feature that owns it


def downgrade() -> None:
    pass
