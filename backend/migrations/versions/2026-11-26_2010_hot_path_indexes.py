"""Performance: indexes the load profile asked for.

Placeholder in the chain; the issue-9 profiling work fills it in (or leaves it empty, with a note).

Revision ID: f8d5a6b7c9e0
Revises: e7c4f5a6b8d9
Create Date: 2026-11-26 20:10:00+00:00
"""

from collections.abc import Sequence

revision: str = "f8d5a6b7c9e0"
down_revision: str | None = "e7c4f5a6b8d9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
