"""Performance: indexes the trading and tutor profiles asked for.

Placeholder in the chain; the issue-9 trading/tutor work fills it in (or leaves it empty, with a note).

Revision ID: a9e6b7c8d0f1
Revises: f8d5a6b7c9e0
Create Date: 2026-11-26 20:20:00+00:00
"""

from collections.abc import Sequence

revision: str = "a9e6b7c8d0f1"
down_revision: str | None = "f8d5a6b7c9e0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
