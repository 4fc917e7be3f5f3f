"""Auth: Farcaster identity (FID) linked to a user by Quick Auth.

Placeholder in the chain; the issue-7 work fills in upgrade/downgrade.

Revision ID: e7c4f5a6b8d9
Revises: d6b3e4f5a7c8
Create Date: 2026-11-26 20:00:00+00:00
"""

from collections.abc import Sequence

revision: str = "e7c4f5a6b8d9"
down_revision: str | None = "d6b3e4f5a7c8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
