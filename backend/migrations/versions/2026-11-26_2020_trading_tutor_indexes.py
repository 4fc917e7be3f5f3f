"""Performance: indexes the trading and tutor profiles asked for.

The trading benchmark's profile (bench/trading/REPORT.md) found no sequential scan on the order path:
every lookup of a market order, the portfolio view and the tutor's turn already has its index. What it
did find is the price poller's tick hook asking every second for the open orders that have expired
(`status = 'open' AND expires_at <= now`): with only `(status, token)` to go on, that reads every open
order each second, so its cost grows with the number of waiting orders. A partial index on `expires_at`
over open orders makes it read only the expired ones (and it stays small: closed orders leave it).

Revision ID: a9e6b7c8d0f1
Revises: f8d5a6b7c9e0
Create Date: 2026-11-26 20:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a9e6b7c8d0f1"
down_revision: str | None = "f8d5a6b7c9e0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    op.create_index(
        "ix_orders_open_expires_at",
        "orders",
        ["expires_at"],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )


def downgrade() -> None:
    # if_exists: a database stamped while this revision was still an empty placeholder has no index.
    op.drop_index("ix_orders_open_expires_at", table_name="orders", if_exists=True)
