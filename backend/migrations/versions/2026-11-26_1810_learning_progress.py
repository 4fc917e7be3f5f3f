"""Learning: lesson progress, quiz attempts, XP, streaks, badges, review cards.

Revision ID: c5a2d3e4f6b7
Revises: b4f1c2d3e5a6
Create Date: 2026-11-26 18:10:00+00:00
"""

from collections.abc import Sequence

revision: str = "c5a2d3e4f6b7"
down_revision: str | None = "b4f1c2d3e5a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # placeholder: filled in by the feature that owns it


def downgrade() -> None:
    pass
