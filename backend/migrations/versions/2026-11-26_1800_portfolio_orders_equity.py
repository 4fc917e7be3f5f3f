"""Portfolio: limit/stop orders and equity snapshots.

Exact decimals as in the ledger migration: NUMERIC on PostgreSQL, canonical text on SQLite.

Revision ID: b4f1c2d3e5a6
Revises: 3c1f0a9d5b21
Create Date: 2026-11-26 18:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b4f1c2d3e5a6"
down_revision: str | None = "3c1f0a9d5b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _exact(precision: int, scale: int) -> sa.types.TypeEngine[object]:
    return sa.Numeric(precision=precision, scale=scale).with_variant(sa.String(precision + 2), "sqlite")


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("portfolio_id", sa.Uuid(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("side", sa.String(length=4), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("trigger_price", _exact(38, 18), nullable=False),
        sa.Column("usd_amount", _exact(18, 8), nullable=True),
        sa.Column("token_amount", _exact(38, 18), nullable=True),
        sa.Column("percent", _exact(8, 4), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failure_reason", sa.String(length=300), nullable=True),
        sa.Column("trade_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("side IN ('buy', 'sell')", name=op.f("ck_orders_side_known")),
        sa.CheckConstraint(
            "type IN ('limit', 'stop_loss', 'take_profit')", name=op.f("ck_orders_type_known")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'filled', 'cancelled', 'expired', 'failed')",
            name=op.f("ck_orders_status_known"),
        ),
        sa.CheckConstraint("token = lower(token)", name=op.f("ck_orders_token_lowercase")),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_orders_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["trade_id"], ["trades.id"], name=op.f("fk_orders_trade_id_trades"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_orders_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("user_id", "idempotency_key", name="uq_orders_user_id_idempotency_key"),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_status_token", ["status", "token"], unique=False)
        batch_op.create_index(
            "ix_orders_portfolio_id_created_at", ["portfolio_id", "created_at"], unique=False
        )

    op.create_table(
        "equity_snapshots",
        sa.Column("portfolio_id", sa.Uuid(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("total_value_usd", _exact(18, 8), nullable=False),
        sa.Column("cash_usd", _exact(18, 8), nullable=False),
        sa.Column("reason", sa.String(length=8), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("reason IN ('trade', 'periodic')", name=op.f("ck_equity_snapshots_reason_known")),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_equity_snapshots_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equity_snapshots")),
    )
    with op.batch_alter_table("equity_snapshots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_equity_snapshots_portfolio_id_taken_at", ["portfolio_id", "taken_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("equity_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_equity_snapshots_portfolio_id_taken_at")
    op.drop_table("equity_snapshots")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_portfolio_id_created_at")
        batch_op.drop_index("ix_orders_status_token")
    op.drop_table("orders")
