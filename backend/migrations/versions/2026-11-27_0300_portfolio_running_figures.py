"""Portfolio: running figures on the run's row (peak, worst fall, realized P&L).

The portfolio view read every equity snapshot of the run (for the max drawdown) and every sell (for the
realized P&L), so it cost more the more a user traded. The app now folds each snapshot and sell into
these columns in the transaction that writes it (`portfolio.equity.snapshot`); this adds them and
backfills them from the rows already there, folding exactly as the app does (the fold is copied here, so
this revision does not change when the app's code does):

- `peak_value_usd`: the highest of [$100, *snapshot values] (snapshots in (taken_at, id) order);
- `fall_peak_usd`, `fall_low_usd`: the (running peak, value) pair of the worst fall, NULL if none yet;
- `realized_pnl_usd`: the sum of the run's realized P&L, NULL while it has sold nothing;
- `folded_at`: the `taken_at` of the last snapshot folded in, NULL if none (the app's order check).

Exact decimals as in the ledger migration: NUMERIC on PostgreSQL, canonical text on SQLite; the
arithmetic is done in Python with `Decimal` on both.

Revision ID: 5914fad787a5
Revises: a9e6b7c8d0f1
Create Date: 2026-11-27 03:00:00+00:00
"""

from collections.abc import Iterator, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "5914fad787a5"
down_revision: str | None = "a9e6b7c8d0f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STARTING_BALANCE_USD = Decimal("100.00")
USD_QUANTUM = Decimal("0.00000001")
BATCH = 1000
COLUMNS = ("peak_value_usd", "fall_peak_usd", "fall_low_usd", "realized_pnl_usd")


def _exact(precision: int, scale: int) -> sa.types.TypeEngine[object]:
    return sa.Numeric(precision=precision, scale=scale).with_variant(sa.String(precision + 2), "sqlite")


def upgrade() -> None:
    op.add_column(
        "portfolios",
        sa.Column("peak_value_usd", _exact(18, 8), server_default="100.00000000", nullable=False),
    )
    for name in COLUMNS[1:]:
        op.add_column("portfolios", sa.Column(name, _exact(18, 8), nullable=True))
    op.add_column("portfolios", sa.Column("folded_at", sa.DateTime(timezone=True), nullable=True))
    _backfill(op.get_bind())


def downgrade() -> None:
    # Only the columns present: a database upgraded by this revision's first version has no folded_at.
    # A plain DROP COLUMN (SQLite >= 3.35 has it), not batch mode: batch rebuilds the table, and on
    # SQLite, with foreign keys on, dropping the old `portfolios` cascades to every trade and snapshot.
    present = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("portfolios")}
    for name in ("folded_at", *reversed(COLUMNS)):
        if name in present:
            op.drop_column("portfolios", name)


class _Figures:
    """One run's running figures, folded as `portfolio.equity.Running.after` does."""

    __slots__ = ("fall_low", "fall_peak", "folded_at", "peak", "realized")

    def __init__(self) -> None:
        self.peak = STARTING_BALANCE_USD
        self.fall_peak: Decimal | None = None
        self.fall_low: Decimal | None = None
        self.realized: Decimal | None = None
        self.folded_at: object = None

    def add_value(self, value: Decimal, taken_at: object) -> None:
        self.folded_at = taken_at  # in (taken_at, id) order: the last is the latest
        if value > self.peak:
            self.peak = value
        elif self.peak > 0 and (self.fall_peak is None or _fall(self.peak, value) > self._worst()):
            self.fall_peak, self.fall_low = self.peak, value

    def add_realized(self, value: Decimal) -> None:
        self.realized = (self.realized or Decimal(0)) + value

    def _worst(self) -> Decimal:
        assert self.fall_peak is not None
        assert self.fall_low is not None
        return _fall(self.fall_peak, self.fall_low)


def _fall(peak: Decimal, value: Decimal) -> Decimal:
    return (peak - value) / peak * 100


def _backfill(bind: sa.Connection) -> None:
    """One ordered pass over the snapshots and one over the sells (streamed), then one UPDATE per run
    that has either (the others keep the defaults: $100 peak, no fall, no realized P&L)."""
    snapshots = sa.table(
        "equity_snapshots",
        sa.column("id", sa.Uuid()),
        sa.column("portfolio_id", sa.Uuid()),
        sa.column("taken_at"),  # untyped: read and written back as the driver gives it
        sa.column("total_value_usd"),
    )
    trades = sa.table(
        "trades", sa.column("portfolio_id", sa.Uuid()), sa.column("realized_pnl_usd"), sa.column("id")
    )
    s, t = snapshots.c, trades.c
    runs: dict[Any, _Figures] = {}
    ordered = sa.select(s.portfolio_id, s.total_value_usd, s.taken_at).order_by(
        s.portfolio_id, s.taken_at, s.id
    )
    for portfolio_id, value, taken_at in _stream(bind, ordered):
        runs.setdefault(portfolio_id, _Figures()).add_value(_decimal(value), taken_at)
    sells = sa.select(t.portfolio_id, t.realized_pnl_usd).where(t.realized_pnl_usd.is_not(None))
    for portfolio_id, value in _stream(bind, sells.order_by(t.portfolio_id, t.id)):
        runs.setdefault(portfolio_id, _Figures()).add_realized(_decimal(value))
    portfolios = sa.table(
        "portfolios",
        sa.column("id", sa.Uuid()),
        sa.column("folded_at"),
        *(sa.column(name) for name in COLUMNS),
    )
    write = (
        sa.update(portfolios)
        .where(portfolios.c.id == sa.bindparam("run_id"))
        .values({name: sa.bindparam(f"new_{name}") for name in (*COLUMNS, "folded_at")})
    )
    sqlite = bind.dialect.name == "sqlite"
    rows = [
        {
            "run_id": portfolio_id,
            "new_peak_value_usd": _stored(figures.peak, sqlite),
            "new_fall_peak_usd": _stored(figures.fall_peak, sqlite),
            "new_fall_low_usd": _stored(figures.fall_low, sqlite),
            "new_realized_pnl_usd": _stored(figures.realized, sqlite),
            "new_folded_at": figures.folded_at,  # as stored: copied, not converted
        }
        for portfolio_id, figures in runs.items()
    ]
    for start in range(0, len(rows), BATCH):
        bind.execute(write, rows[start : start + BATCH])


def _stream(bind: sa.Connection, query: sa.Select[Any]) -> Iterator[sa.Row[Any]]:
    # A statement option: on the connection it would outlive this query (and alembic's own UPDATE of
    # its version row would then run on a streaming cursor).
    yield from bind.execute(query.execution_options(yield_per=BATCH))


def _decimal(value: object) -> Decimal:
    """A stored exact decimal (NUMERIC, or canonical text on SQLite), as the app's type reads it."""
    return Decimal(str(value)).quantize(USD_QUANTUM, rounding=ROUND_HALF_EVEN)


def _stored(value: Decimal | None, sqlite: bool) -> object:
    if value is None:
        return None
    exact = value.quantize(USD_QUANTUM, rounding=ROUND_HALF_EVEN)
    return format(exact, "f") if sqlite else exact
