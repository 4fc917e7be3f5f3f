"""Portfolio ledger: runs (reset) on portfolios, holdings and trades.

Token amounts, prices and USD figures are exact: NUMERIC on PostgreSQL, canonical text on SQLite
(whose NUMERIC keeps only 15 significant digits); see eaili5.models.types.ExactDecimal.

Revision ID: 3c1f0a9d5b21
Revises: 7e74e11dbdee
Create Date: 2026-11-26 16:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c1f0a9d5b21"
down_revision: str | None = "7e74e11dbdee"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _exact(precision: int, scale: int) -> sa.types.TypeEngine[object]:
    return sa.Numeric(precision=precision, scale=scale).with_variant(sa.String(precision + 2), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("portfolios", schema=None) as batch_op:
        batch_op.add_column(sa.Column("run", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_portfolios_user_id"), type_="unique")
        batch_op.create_unique_constraint("uq_portfolios_user_id_run", ["user_id", "run"])
        batch_op.create_check_constraint(batch_op.f("ck_portfolios_run_positive"), "run >= 1")

    op.create_table(
        "holdings",
        sa.Column("portfolio_id", sa.Uuid(), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("amount", _exact(38, 18), nullable=False),
        sa.Column("cost_basis_usd", _exact(18, 8), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_holdings_amount_non_negative")),
        sa.CheckConstraint("cost_basis_usd >= 0", name=op.f("ck_holdings_cost_basis_non_negative")),
        sa.CheckConstraint("token = lower(token)", name=op.f("ck_holdings_token_lowercase")),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_holdings_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holdings")),
        sa.UniqueConstraint("portfolio_id", "token", name="uq_holdings_portfolio_id_token"),
    )
    op.create_table(
        "trades",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("portfolio_id", sa.Uuid(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("side", sa.String(length=4), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("token_amount", _exact(38, 18), nullable=False),
        sa.Column("usd_amount", _exact(18, 8), nullable=False),
        sa.Column("price_usd", _exact(38, 18), nullable=False),
        sa.Column("fill_price", _exact(38, 18), nullable=False),
        sa.Column("pool_fee_usd", _exact(18, 8), nullable=False),
        sa.Column("price_impact_pct", _exact(12, 6), nullable=False),
        sa.Column("gas_usd", _exact(18, 8), nullable=False),
        sa.Column("cost_basis_usd", _exact(18, 8), nullable=False),
        sa.Column("realized_pnl_usd", _exact(18, 8), nullable=True),
        sa.Column("price_source", sa.String(length=32), nullable=False),
        sa.Column("price_as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("side IN ('buy', 'sell')", name=op.f("ck_trades_side_known")),
        sa.CheckConstraint("token = lower(token)", name=op.f("ck_trades_token_lowercase")),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_trades_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_trades_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trades")),
        sa.UniqueConstraint("user_id", "idempotency_key", name="uq_trades_user_id_idempotency_key"),
    )
    with op.batch_alter_table("trades", schema=None) as batch_op:
        batch_op.create_index(
            "ix_trades_portfolio_id_created_at", ["portfolio_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("trades", schema=None) as batch_op:
        batch_op.drop_index("ix_trades_portfolio_id_created_at")
    op.drop_table("trades")
    op.drop_table("holdings")
    # Archived runs cannot survive the one-portfolio-per-user rule: keep each user's current run only.
    op.execute("DELETE FROM portfolios WHERE archived_at IS NOT NULL")
    with op.batch_alter_table("portfolios", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_portfolios_run_positive"), type_="check")
        batch_op.drop_constraint("uq_portfolios_user_id_run", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_portfolios_user_id"), ["user_id"])
        batch_op.drop_column("archived_at")
        batch_op.drop_column("run")
