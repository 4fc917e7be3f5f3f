"""Auth: Farcaster identity (FID) linked to a user by Quick Auth.

One nullable column on `users` with a unique index (one FID, one user). A column rather than a table:
a user links at most one FID, and export, delete and the guest merge then cover it with the user's row.
No CHECK (fid > 0) here: adding one on SQLite means rebuilding `users`; the endpoint validates the FID.

Revision ID: e7c4f5a6b8d9
Revises: d6b3e4f5a7c8
Create Date: 2026-11-26 20:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e7c4f5a6b8d9"
down_revision: str | None = "d6b3e4f5a7c8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("farcaster_fid", sa.BigInteger(), nullable=True))
    op.create_index(op.f("ix_users_farcaster_fid"), "users", ["farcaster_fid"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_users_farcaster_fid"), table_name="users")
    op.drop_column("users", "farcaster_fid")
