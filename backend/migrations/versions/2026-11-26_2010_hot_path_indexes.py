"""Performance: indexes the load profile asked for.

The API profile (bench/PROFILING.md) found one hot lookup without an index: a finished quiz reads the
attempt's XP (`xp_awards WHERE attempt_id = ?`, every quiz result screen), and deleting an attempt (a
user's account) sets `xp_awards.attempt_id` to NULL through its foreign key. No index led with
`attempt_id`, so both read every award of every user: cost growing with the whole table. Every other
hot-path query (sessions by token hash, lesson state, progress, answers, review cards, badges, days)
already has an index that leads with its filter.

Revision ID: f8d5a6b7c9e0
Revises: e7c4f5a6b8d9
Create Date: 2026-11-26 20:10:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "f8d5a6b7c9e0"
down_revision: str | None = "e7c4f5a6b8d9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_xp_awards_attempt_id", "xp_awards", ["attempt_id"])


def downgrade() -> None:
    # if_exists: a database stamped while this revision was still an empty placeholder has no index.
    op.drop_index("ix_xp_awards_attempt_id", table_name="xp_awards", if_exists=True)
