"""Equity snapshots: a run's total value over time, for the chart, max drawdown and the leaderboard.

A snapshot is written after every trade (in the trade's transaction) and periodically by the polling
instance for every current run that holds tokens (a cash-only run's value cannot move). So between two
snapshots a run's value changed only through prices, and a run with no snapshot before some time was
still all cash ($100) then: the leaderboard's weekly base relies on that.

Every snapshot also folds its value (and a trade's realized P&L) into the run's running figures on the
portfolio row (`Running`, see `models.Portfolio`), in the same transaction: the portfolio view reads
those instead of the run's whole history, so its cost does not grow with the number of trades.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Table,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from eaili5.market.schemas import PriceTick
from eaili5.models import EquitySnapshot, Holding, Portfolio, Trade
from eaili5.models.base import utcnow
from eaili5.models.holding import USD
from eaili5.models.portfolio import STARTING_BALANCE_USD
from eaili5.portfolio.pricing import USD_SCALE, even

DRAWDOWN_SCALE = Decimal("0.0001")


@dataclass(frozen=True)
class Valuation:
    cash: Decimal
    holdings: Decimal

    @property
    def total(self) -> Decimal:
        return self.cash + self.holdings


def value_holdings(holdings: Iterable[Holding], ticks: dict[str, PriceTick]) -> Decimal:
    """Holdings at the latest prices; a token without a price counts as 0 (as in the portfolio view)."""
    return value_amounts({holding.token: holding.amount for holding in holdings}, ticks)


def value_amounts(amounts: Mapping[str, Decimal], ticks: dict[str, PriceTick]) -> Decimal:
    """{token: amount held} at the latest prices, valued like `value_holdings`."""
    total = Decimal(0)
    for token, amount in amounts.items():
        tick = ticks.get(token)
        if tick is not None and amount > 0:
            total += even(amount * tick.price_usd, USD_SCALE)
    return total


async def valuation(
    db: AsyncSession, portfolio_id: uuid.UUID, cash: Decimal, ticks: dict[str, PriceTick]
) -> Valuation:
    query = select(Holding).where(Holding.portfolio_id == portfolio_id)
    # populate_existing: the ledger updates holdings with plain UPDATEs, so loaded objects may be old.
    rows = (await db.execute(query.execution_options(populate_existing=True))).scalars()
    return Valuation(cash, value_holdings(rows, ticks))


@dataclass(frozen=True)
class Running:
    """A run's running figures (the columns of `models.Portfolio`): its snapshot values folded in order.

    `max_drawdown_pct(total)` equals `max_drawdown_pct([STARTING_BALANCE_USD, *snapshot values, total])`
    exactly: the worst fall of a sequence is the worst of its prefix's and the last point's fall from
    the prefix's peak, and rounding to `DRAWDOWN_SCALE` commutes with taking the maximum."""

    peak: Decimal = STARTING_BALANCE_USD
    fall_peak: Decimal | None = None  # the (peak, value) pair of the worst fall so far
    fall_low: Decimal | None = None
    realized: Decimal | None = None  # None: no realized P&L yet (the view shows 0)

    def after(self, value: Decimal) -> Running:
        """These figures with one more snapshot value."""
        peak, fall_peak, fall_low = self.peak, self.fall_peak, self.fall_low
        if value > peak:
            peak = value
        elif peak > 0 and (fall_peak is None or _fall(peak, value) > self._worst()):
            fall_peak, fall_low = peak, value
        return Running(peak, fall_peak, fall_low, self.realized)

    def plus_realized(self, realized: Decimal | None) -> Running:
        """These figures with a trade's realized P&L added (None: not a sell, nothing to add)."""
        if realized is None:
            return self
        return Running(self.peak, self.fall_peak, self.fall_low, (self.realized or Decimal(0)) + realized)

    def max_drawdown_pct(self, total: Decimal) -> Decimal:
        """The run's max drawdown with `total` (its value now) as the last point."""
        worst = self._worst()
        if total <= self.peak and self.peak > 0:
            worst = max(worst, _fall(self.peak, total))
        return even(worst, DRAWDOWN_SCALE)

    @property
    def realized_pnl_usd(self) -> Decimal:
        return Decimal(0) if self.realized is None else self.realized

    def _worst(self) -> Decimal:
        if self.fall_peak is None or self.fall_low is None:
            return Decimal(0)
        return _fall(self.fall_peak, self.fall_low)


def _fall(peak: Decimal, value: Decimal) -> Decimal:
    """A fall from `peak` as % of it, computed exactly as `max_drawdown_pct` does."""
    return (peak - value) / peak * 100


_SNAPSHOTS, _PORTFOLIOS = cast(Table, EquitySnapshot.__table__), cast(Table, Portfolio.__table__)
_P, _S = _PORTFOLIOS.c, _SNAPSHOTS.c
_RUNNING_COLUMNS = (_P.peak_value_usd, _P.fall_peak_usd, _P.fall_low_usd, _P.realized_pnl_usd)
_INSERT_SNAPSHOT = insert(_SNAPSHOTS)
# Before any snapshot: `taken_at > COALESCE(folded_at, EPOCH)` is one index range on (portfolio_id,
# taken_at); an `folded_at IS NULL OR …` would make PostgreSQL read every snapshot of the run.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# SQLite: the INSERT also returns the run's running figures as they were, and when they were folded
# (a subquery per column; the inserted row is named by hand: SQLAlchemy does not correlate a subquery
# in RETURNING).
_INSERTED_RUN = literal_column("equity_snapshots.portfolio_id", _S.portfolio_id.type)
# `unfolded`: the run has another snapshot newer than the last one folded in (written by something that
# does not fold: an instance still on the previous release during a deploy).
_UNFOLDED_SQLITE = text(
    "EXISTS (SELECT 1 FROM equity_snapshots AS earlier JOIN portfolios AS run"
    " ON run.id = earlier.portfolio_id"
    " WHERE earlier.portfolio_id = equity_snapshots.portfolio_id AND earlier.id != equity_snapshots.id"
    " AND earlier.taken_at > COALESCE(run.folded_at, ''))"
)
_INSERT_SNAPSHOT_READ_RUNNING = _INSERT_SNAPSHOT.returning(
    *(
        select(column).where(_P.id == _INSERTED_RUN).scalar_subquery().label(column.name)
        for column in (*_RUNNING_COLUMNS, _P.folded_at)
    ),
    literal_column(_UNFOLDED_SQLITE.text, Boolean()).label("unfolded"),
)
_WRITE_RUNNING = (
    update(_PORTFOLIOS)
    .where(_P.id == bindparam("portfolio_id"))
    .values(
        peak_value_usd=bindparam("peak", type_=USD),
        fall_peak_usd=bindparam("fall_peak", type_=USD),
        fall_low_usd=bindparam("fall_low", type_=USD),
        realized_pnl_usd=bindparam("realized", type_=USD),
        folded_at=bindparam("folded", type_=_P.folded_at.type),
        updated_at=_P.updated_at,  # derived figures, not a change of the run: no new timestamp
    )
)
_LOCK_RUN = select(_P.id).where(_P.id == bindparam("portfolio_id")).with_for_update()
_REALIZED_ROWS = select(Trade.realized_pnl_usd).where(
    Trade.portfolio_id == bindparam("portfolio_id"), Trade.realized_pnl_usd.is_not(None)
)
_VALUES_IN_ORDER = (
    select(_S.total_value_usd, _S.taken_at)
    .where(_S.portfolio_id == bindparam("portfolio_id"))
    .order_by(_S.taken_at, _S.id)
)


SNAPSHOT_VALUE = bindparam("s_total", type_=USD)
SNAPSHOT_TAKEN_AT = bindparam("s_taken_at", type_=_S.taken_at.type)
# A snapshot row from its `s_*` bind parameters (its values, as `snapshot` binds them).
SNAPSHOT_BINDS: dict[str, Any] = {
    "id": bindparam("s_id", type_=_S.id.type),
    "portfolio_id": bindparam("run_id", type_=_S.portfolio_id.type),
    "taken_at": SNAPSHOT_TAKEN_AT,
    "total_value_usd": SNAPSHOT_VALUE,
    "cash_usd": bindparam("s_cash", type_=USD),
    "reason": bindparam("s_reason", type_=_S.reason.type),
}


def foldable() -> ColumnElement[bool]:
    """The run may fold the bound snapshot in: it is newer than the last one folded in, and no other
    snapshot is newer than that one (an index probe). A snapshot inserted by the same statement is not
    visible here (one snapshot of the data for the whole statement). A new expression per statement:
    its EPOCH literal is a bind parameter, which one cached statement must not share with another."""
    return and_(
        or_(_P.folded_at.is_(None), _P.folded_at < SNAPSHOT_TAKEN_AT),
        ~exists().where(
            _S.portfolio_id == _P.id,
            _S.taken_at > func.coalesce(_P.folded_at, literal(EPOCH, _P.folded_at.type)),
        ),
    )


def folded_figures(realized: bool) -> dict[str, Any]:
    """The run's running figures after the bound snapshot (and, with `realized`, the sell's realized
    P&L bound as `s_realized`), as SQL on the row as it finds it. Falls are compared by
    cross-multiplying, (peak - v) / peak > (fp - fl) / fp  <=>  (peak - v) * fp > (fp - fl) * peak
    (peaks are > 0): exact NUMERIC arithmetic, no division."""
    value, peak, fall_peak, fall_low = SNAPSHOT_VALUE, _P.peak_value_usd, _P.fall_peak_usd, _P.fall_low_usd
    worse: ColumnElement[bool] = and_(
        value <= peak,
        peak > 0,
        or_(fall_peak.is_(None), (peak - value) * fall_peak > (fall_peak - fall_low) * peak),
    )
    figures: dict[str, Any] = {
        "peak_value_usd": case((value > peak, value), else_=peak),
        "fall_peak_usd": case((worse, peak), else_=fall_peak),
        "fall_low_usd": case((worse, value), else_=fall_low),
        "folded_at": SNAPSHOT_TAKEN_AT,
    }
    if realized:
        added = bindparam("s_realized", type_=USD)
        figures["realized_pnl_usd"] = func.coalesce(_P.realized_pnl_usd, 0) + added
    return figures


def _fold_in_sql(realized: bool) -> Any:
    """PostgreSQL: the snapshot INSERT and the fold into the portfolio row as ONE statement, with no
    read first: the UPDATE computes from the row as it finds it (re-read after any concurrent writer's
    commit, so concurrent snapshots cannot lose a fold). It folds only when `foldable()`, and returns
    the run's id when it did. The snapshot's values are bound as `s_*`."""
    snapshot = insert(_SNAPSHOTS).values(SNAPSHOT_BINDS).cte("snapshot")
    derived = {"updated_at": _P.updated_at}  # derived figures, not a change of the run: no new timestamp
    return (
        update(_PORTFOLIOS)
        .where(_P.id == bindparam("run_id"), foldable())
        .values({**folded_figures(realized), **derived})
        .returning(_P.id)
        .add_cte(snapshot)
    )


def snapshot_params(
    portfolio_id: uuid.UUID, value: Valuation, reason: str, taken_at: datetime, realized: Decimal | None
) -> dict[str, Any]:
    """The `s_*` bind parameters of a snapshot (values rounded as the columns store them)."""
    return {
        "run_id": portfolio_id,
        "s_id": uuid.uuid4(),
        "s_taken_at": taken_at,
        "s_total": even(value.total, USD_SCALE),
        "s_cash": even(value.cash, USD_SCALE),
        "s_reason": reason,
        "s_realized": None if realized is None else even(realized, USD_SCALE),  # as a trade row stores it
    }


_FOLD_IN_SQL = {False: _fold_in_sql(False), True: _fold_in_sql(True)}


async def snapshot(
    db: AsyncSession,
    portfolio_id: uuid.UUID,
    value: Valuation,
    reason: str,
    at: datetime | None = None,
    realized: Decimal | None = None,
) -> None:
    """One snapshot row, folded into the run's running figures (with `realized`, the trade's realized
    P&L as stored, if it was a sell) in the caller's transaction. Core statements on the
    transaction's connection (no ORM unit of work to flush): one on PostgreSQL; two on SQLite, where
    decimals are text and SQL arithmetic would be float, so the fold is done in Python: the INSERT
    returns the figures, an UPDATE writes them back (SQLite has one writer at a time, and this
    transaction is it from the INSERT on: nothing can change the row between the two).

    The figures follow the snapshots' (taken_at, id) order, as the full recomputation did. A snapshot
    that is not newer than the last one folded in (a periodic pass, stamped at its start, landing
    after a trade of that run; a back-dated one), or one written beside another that was never folded
    (by an instance still on the previous release during a deploy), makes the run fold all its
    snapshots and sells again from their rows (`_refold`): rare, and exact."""
    taken_at = at if at is not None else utcnow()
    params = snapshot_params(portfolio_id, value, reason, taken_at, realized)
    total, cash, realized = params["s_total"], params["s_cash"], params["s_realized"]
    conn = await db.connection()
    if conn.dialect.name == "postgresql":
        if (await conn.execute(_FOLD_IN_SQL[realized is not None], params)).first() is None:
            await _refold(conn, portfolio_id)
        return
    values = {"portfolio_id": portfolio_id, "total_value_usd": total, "cash_usd": cash, "reason": reason}
    before = (await conn.execute(_INSERT_SNAPSHOT_READ_RUNNING, {**values, "taken_at": taken_at})).one()
    *figures, folded_at, unfolded = before
    if unfolded or (folded_at is not None and folded_at >= taken_at):
        await _refold(conn, portfolio_id)
        return
    await _write(conn, portfolio_id, Running(*figures).after(total).plus_realized(realized), taken_at)


async def refold(db: AsyncSession, portfolio_id: uuid.UUID) -> None:
    """Fold the run's figures again from all its rows, in `db`'s transaction (see `_refold`)."""
    await _refold(await db.connection(), portfolio_id)


async def _refold(conn: AsyncConnection, portfolio_id: uuid.UUID) -> None:
    """Fold all the run's snapshots and sells again, from their rows (the sell of this transaction
    included), under the run's row lock: what the full recomputation gives."""
    await conn.execute(_LOCK_RUN, {"portfolio_id": portfolio_id})
    figures, last = Running(), None
    for value, taken_at in await conn.execute(_VALUES_IN_ORDER, {"portfolio_id": portfolio_id}):
        figures, last = figures.after(value), taken_at
    for realized in (await conn.execute(_REALIZED_ROWS, {"portfolio_id": portfolio_id})).scalars():
        figures = figures.plus_realized(realized)
    await _write(conn, portfolio_id, figures, last)


async def _write(
    conn: AsyncConnection, portfolio_id: uuid.UUID, figures: Running, folded_at: datetime | None
) -> None:
    values = {
        "portfolio_id": portfolio_id,
        "peak": figures.peak,
        "fall_peak": figures.fall_peak,
        "fall_low": figures.fall_low,
        "realized": figures.realized,
        "folded": folded_at,
    }
    await conn.execute(_WRITE_RUNNING, values)


async def snapshots(
    db: AsyncSession, portfolio_ids: Sequence[uuid.UUID], since: datetime | None = None
) -> list[EquitySnapshot]:
    """Oldest first."""
    if not portfolio_ids:
        return []
    query = select(EquitySnapshot).where(EquitySnapshot.portfolio_id.in_(portfolio_ids))
    if since is not None:
        query = query.where(EquitySnapshot.taken_at >= since)
    return list((await db.execute(query.order_by(EquitySnapshot.taken_at, EquitySnapshot.id))).scalars())


async def values(db: AsyncSession, portfolio_id: uuid.UUID) -> list[Decimal]:
    """A run's snapshot values, oldest first: only the column max drawdown needs (no ORM objects)."""
    query = (
        select(EquitySnapshot.total_value_usd)
        .where(EquitySnapshot.portfolio_id == portfolio_id)
        .order_by(EquitySnapshot.taken_at, EquitySnapshot.id)
    )
    return list((await db.execute(query)).scalars())


async def last_before(
    db: AsyncSession, portfolio_ids: Sequence[uuid.UUID], before: datetime
) -> dict[uuid.UUID, Decimal]:
    """Each run's last snapshot value strictly before `before` (runs without one are absent)."""
    if not portfolio_ids:
        return {}
    query = (
        select(EquitySnapshot)
        .where(EquitySnapshot.portfolio_id.in_(portfolio_ids), EquitySnapshot.taken_at < before)
        .order_by(EquitySnapshot.taken_at, EquitySnapshot.id)
    )
    found: dict[uuid.UUID, Decimal] = {}
    for row in (await db.execute(query)).scalars():
        found[row.portfolio_id] = row.total_value_usd  # ascending: the last one wins
    return found


def max_drawdown_pct(values: Iterable[Decimal]) -> Decimal:
    """The biggest fall from a running peak, as % of that peak (0 when the value never fell)."""
    peak: Decimal | None = None
    worst = Decimal(0)
    for value in values:
        if peak is None or value > peak:
            peak = value
        elif peak > 0:
            worst = max(worst, (peak - value) / peak * 100)
    return even(worst, DRAWDOWN_SCALE)


async def current_holders(db: AsyncSession) -> dict[uuid.UUID, tuple[Decimal, list[Holding]]]:
    """Current runs that hold tokens: {portfolio id: (cash, holdings)}."""
    query = (
        select(Portfolio.id, Portfolio.balance, Holding)
        .join(Holding, Holding.portfolio_id == Portfolio.id)
        .where(Portfolio.archived_at.is_(None))
    )
    found: dict[uuid.UUID, tuple[Decimal, list[Holding]]] = {}
    for portfolio_id, balance, holding in (await db.execute(query)).all():
        if holding.amount > 0:  # compared in Python: SQLite stores exact decimals as text
            found.setdefault(portfolio_id, (Decimal(balance), []))[1].append(holding)
    return found
