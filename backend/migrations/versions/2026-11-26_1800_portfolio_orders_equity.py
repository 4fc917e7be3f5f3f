"""Portfolio: limit/stop orders and equity snapshots.

Revision ID: b4f1c2d3e5a6
Revises: 3c1f0a9d5b21
Create Date: 2026-11-26 18:00:00+00:00
"""

from collections.abc import Sequence

revision: str = "b4f1c2d3e5a6"
down_revision: str | None = "3c1f0a9d5b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # placeholder: filled in by the feature that owns it


def downgrade() -> None:
    pass
