"""All SQL for portfolios, holdings and trades. Flushes only; the request commits.

Writes that guard an invariant are conditional (compare-and-swap on the value read) and report
whether they applied. Values are computed in Python with `Decimal`: SQLite would do SQL arithmetic
on floats.

The market order and the portfolio view (the hot paths) use Core statements built once at import,
with bind parameters, run on the session's connection: no ORM identity map, unit of work or per-call
statement building and cache-key hashing (most of their CPU before). They return plain rows
(`sqlalchemy.Row`), read by attribute like the models. The column types are the models' own, so the
values are processed exactly as before (exact decimals on SQLite, UTC datetimes).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    Boolean,
    Integer,
    Row,
    String,
    Table,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from eaili5.models import EquitySnapshot, Holding, Order, Portfolio, Trade
from eaili5.models.base import utcnow
from eaili5.models.holding import TOKEN_AMOUNT, USD
from eaili5.portfolio import equity
from eaili5.portfolio.equity import EPOCH, Running

PORTFOLIOS = cast(Table, Portfolio.__table__)
HOLDINGS = cast(Table, Holding.__table__)
TRADES = cast(Table, Trade.__table__)
ORDERS = cast(Table, Order.__table__)
SNAPSHOTS = cast(Table, EquitySnapshot.__table__)


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def current_portfolio(db: AsyncSession, user_id: uuid.UUID) -> Portfolio | None:
    query = (
        select(Portfolio)
        .where(Portfolio.user_id == user_id, Portfolio.archived_at.is_(None))
        .execution_options(populate_existing=True)
    )
    return (await db.execute(query)).scalar_one_or_none()


async def create_portfolio(db: AsyncSession, user_id: uuid.UUID, run: int) -> Portfolio:
    portfolio = Portfolio(user_id=user_id, run=run)
    db.add(portfolio)
    await db.flush()
    return portfolio


async def lock_portfolio(db: AsyncSession, portfolio_id: uuid.UUID) -> bool:
    """Take the portfolio's write lock for the rest of the transaction (row lock on PostgreSQL,
    the database write lock on SQLite). False when the run was archived meanwhile."""
    result = await db.execute(
        update(Portfolio)
        .where(Portfolio.id == portfolio_id, Portfolio.archived_at.is_(None))
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def cash(db: AsyncSession, portfolio_id: uuid.UUID) -> Decimal:
    query = select(Portfolio.balance).where(Portfolio.id == portfolio_id)
    return Decimal((await db.execute(query)).scalar_one())


async def find_trade(db: AsyncSession, user_id: uuid.UUID, idempotency_key: str) -> Trade | None:
    query = select(Trade).where(Trade.user_id == user_id, Trade.idempotency_key == idempotency_key)
    return (await db.execute(query)).scalar_one_or_none()


async def trades_page(
    db: AsyncSession, portfolio_id: uuid.UUID, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[Trade]:
    """Newest first, keyset-paginated on (created_at, id)."""
    query = select(Trade).where(Trade.portfolio_id == portfolio_id)
    if after is not None:
        created_at, trade_id = after
        query = query.where(
            or_(Trade.created_at < created_at, and_(Trade.created_at == created_at, Trade.id < trade_id))
        )
    query = query.order_by(Trade.created_at.desc(), Trade.id.desc()).limit(limit)
    return list((await db.execute(query)).scalars())


async def archive(db: AsyncSession, portfolio_id: uuid.UUID, now: datetime) -> bool:
    result = await db.execute(
        update(Portfolio)
        .where(Portfolio.id == portfolio_id, Portfolio.archived_at.is_(None))
        .values(archived_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


# --- the hot paths (market order, portfolio view): Core statements built once ----------------------
class RunRow(NamedTuple):
    """A current portfolio run, as the hot paths need it."""

    id: uuid.UUID
    run: int
    balance: Decimal
    created_at: datetime


class HoldingRow(NamedTuple):
    id: uuid.UUID
    token: str
    amount: Decimal
    cost_basis_usd: Decimal


_P, _H, _T, _S = PORTFOLIOS.c, HOLDINGS.c, TRADES.c, SNAPSHOTS.c
_RUN_COLUMNS = (_P.id, _P.run, _P.balance, _P.created_at)
_HOLDING_COLUMNS = (_H.id, _H.token, _H.amount, _H.cost_basis_usd)
_IS_CURRENT = (_P.user_id == bindparam("user_id"), _P.archived_at.is_(None))


def _key_use(user: str) -> tuple[Any, Any]:
    """(the id of the user's trade with the Idempotency-Key `:key`, whether a waiting order uses it)."""
    trade = (
        select(_T.id)
        .where(_T.user_id == bindparam(user), _T.idempotency_key == bindparam("key"))
        .scalar_subquery()
        .label("trade_id")
    )
    order = (
        exists().where(ORDERS.c.user_id == bindparam(user), ORDERS.c.idempotency_key == bindparam("key"))
    ).label("order_used")
    return trade, order


_RUN_WITH_KEY = select(*_RUN_COLUMNS, *_key_use("user_id")).where(*_IS_CURRENT)
# A market order's first statement: the write lock on the user's current run, its cash as of the lock,
# and how the Idempotency-Key was used before. (A key check that ran before a wait for the lock may
# miss a retry that filled meanwhile: the trade's ON CONFLICT DO NOTHING still catches it.)
# (An UPDATE of portfolios cannot name a parameter after one of its columns: `owner`, not `user_id`.)
_LOCK_RUN_WITH_KEY = (
    update(PORTFOLIOS)
    .where(_P.user_id == bindparam("owner"), _P.archived_at.is_(None))
    .values(updated_at=bindparam("now"))
    .returning(_P.id, _P.balance, *_key_use("owner"))
)
_LOCK_AND_CASH = (
    update(PORTFOLIOS)
    .where(_P.id == bindparam("portfolio_id"), _P.archived_at.is_(None))
    .values(updated_at=bindparam("now"))
    .returning(_P.balance)
)
_SET_CASH = (
    update(PORTFOLIOS)
    .where(_P.id == bindparam("portfolio_id"), _P.balance == bindparam("old"), _P.archived_at.is_(None))
    .values(balance=bindparam("new"))
)
_HOLDINGS = (
    select(*_HOLDING_COLUMNS).where(_H.portfolio_id == bindparam("portfolio_id")).order_by(_H.created_at)
)
_FIND_HOLDING = select(*_HOLDING_COLUMNS).where(
    _H.portfolio_id == bindparam("portfolio_id"), _H.token == bindparam("token_key")
)
_ADD_HOLDING = insert(HOLDINGS)
_SWAP_HOLDING = (
    update(HOLDINGS)
    .where(_H.id == bindparam("holding_id"), _H.amount == bindparam("old_amount"))
    .values(
        amount=bindparam("new_amount"), cost_basis_usd=bindparam("new_basis"), updated_at=bindparam("now")
    )
)
_INSERT_TRADE = {
    name: dialect.insert(TRADES)
    .on_conflict_do_nothing(index_elements=["user_id", "idempotency_key"])
    .returning(*TRADES.c)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
# The portfolio view's one statement: (kind, at, row_id, run, cash, token, usd, amount, peak, fall_peak,
# fall_low) rows, ordered by kind then time. The run comes first (with its cash, its realized P&L as
# usd and its running peak and worst fall), then its holdings (usd = cost basis). Constant in the number
# of trades: the drawdown and realized P&L come from the running figures on the run's row, not from its
# snapshots and sells. The typed NULLs keep each column's own type, so values are processed exactly as
# the single-table reads did (the balance is a plain Numeric column). `stale`: the run has a snapshot
# newer than the last one folded in (one index probe): written by an instance still on the previous
# release during a deploy, so the figures miss it until the run is folded again.
_RUN, _HOLDING = 0, 1
_CURRENT_ID = select(_P.id).where(*_IS_CURRENT).scalar_subquery()
_NO_RUN, _NO_TOKEN = type_coerce(null(), Integer()), type_coerce(null(), String())
_NO_CASH = type_coerce(null(), _P.balance.type)
_NO_USD, _NO_AMOUNT = type_coerce(null(), USD), type_coerce(null(), TOKEN_AMOUNT)
_STALE = exists().where(
    _S.portfolio_id == _P.id, _S.taken_at > func.coalesce(_P.folded_at, literal(EPOCH, _P.folded_at.type))
)
_STATE = union_all(
    select(
        literal(_RUN).label("kind"),
        _P.created_at.label("at"),
        _P.id.label("row_id"),
        _P.run.label("run"),
        _P.balance.label("cash"),
        _NO_TOKEN.label("token"),
        _P.realized_pnl_usd.label("usd"),
        _NO_AMOUNT.label("amount"),
        _P.peak_value_usd.label("peak"),
        _P.fall_peak_usd.label("fall_peak"),
        _P.fall_low_usd.label("fall_low"),
        _STALE.label("stale"),
    ).where(*_IS_CURRENT),
    select(
        literal(_HOLDING),
        _H.created_at,
        _H.id,
        _NO_RUN,
        _NO_CASH,
        _H.token,
        _H.cost_basis_usd,
        _H.amount,
        _NO_USD,
        _NO_USD,
        _NO_USD,
        type_coerce(null(), Boolean()),
    ).where(_H.portfolio_id == _CURRENT_ID),
).order_by("kind", "at", "row_id")


async def current_run_with_key(
    db: AsyncSession, user_id: uuid.UUID, idempotency_key: str
) -> tuple[RunRow, uuid.UUID | None, bool] | None:
    """The current run, the id of the user's trade with this Idempotency-Key (if any), and whether a
    waiting order already uses the key: one round trip. None when the user has no current run yet."""
    conn = await db.connection()
    row = (await conn.execute(_RUN_WITH_KEY, {"user_id": user_id, "key": idempotency_key})).first()
    if row is None:
        return None
    return RunRow(row.id, row.run, row.balance, row.created_at), row.trade_id, bool(row.order_used)


class PortfolioState(NamedTuple):
    """What the portfolio view needs, read in one statement (so from one consistent snapshot)."""

    run: RunRow
    holdings: list[HoldingRow]  # zero rows included, oldest first
    running: Running  # the run's running figures: peak, worst fall, realized P&L
    stale: bool  # a snapshot was written without folding: fold the run again before trusting them


async def portfolio_state(conn: AsyncConnection, user_id: uuid.UUID) -> PortfolioState | None:
    """The current run with its holdings and running figures in ONE statement: one snapshot of the
    data, so the ledger reconciles even outside a transaction (the view reads in autocommit: no
    BEGIN/COMMIT round trips). Its rows are the run and its holdings, whatever the number of trades.
    None when the user has no current run yet."""
    rows = (await conn.execute(_STATE, {"user_id": user_id})).all()
    if not rows or rows[0].kind != _RUN:
        return None
    first = rows[0]
    run = RunRow(first.row_id, first.run, first.cash, first.at)
    held = [HoldingRow(row.row_id, row.token, row.amount, row.usd) for row in rows[1:]]
    figures = Running(first.peak, first.fall_peak, first.fall_low, first.usd)
    return PortfolioState(run, held, figures, bool(first.stale))


class LockedRun(NamedTuple):
    id: uuid.UUID
    cash: Decimal  # as of the lock
    trade_id: uuid.UUID | None  # the user's trade with this Idempotency-Key, if any
    key_used_by_order: bool  # a waiting order already uses the key


async def lock_run_with_key(db: AsyncSession, user_id: uuid.UUID, idempotency_key: str) -> LockedRun | None:
    """Lock the user's current run (UPDATE … RETURNING) and read its cash and the key's use, in one
    round trip. None when the user has no current run (first use, or a reset got in first)."""
    conn = await db.connection()
    values = {"owner": user_id, "key": idempotency_key, "now": utcnow()}
    row = (await conn.execute(_LOCK_RUN_WITH_KEY, values)).first()
    if row is None:
        return None
    return LockedRun(row.id, Decimal(row.balance), row.trade_id, bool(row.order_used))


async def lock_and_read_cash(db: AsyncSession, portfolio_id: uuid.UUID) -> Decimal | None:
    """`lock_portfolio` and `cash` in one statement (UPDATE … RETURNING): the cash as of the lock.
    None when the run was archived meanwhile."""
    conn = await db.connection()
    result = await conn.execute(_LOCK_AND_CASH, {"portfolio_id": portfolio_id, "now": utcnow()})
    balance = result.scalar_one_or_none()
    return None if balance is None else Decimal(balance)


async def set_cash(db: AsyncSession, portfolio_id: uuid.UUID, old: Decimal, new: Decimal) -> bool:
    """balance := new, only if it is still `old` and `new` is not negative."""
    if new < 0:
        return False
    conn = await db.connection()
    result = await conn.execute(_SET_CASH, {"portfolio_id": portfolio_id, "old": old, "new": new})
    return _rowcount(result) == 1


async def holdings(db: AsyncSession, portfolio_id: uuid.UUID) -> list[HoldingRow]:
    """The run's holdings as stored now (zero rows included), oldest first."""
    conn = await db.connection()
    rows = await conn.execute(_HOLDINGS, {"portfolio_id": portfolio_id})
    return [HoldingRow(*row) for row in rows]


async def find_holding(db: AsyncSession, portfolio_id: uuid.UUID, token: str) -> HoldingRow | None:
    conn = await db.connection()
    row = (await conn.execute(_FIND_HOLDING, {"portfolio_id": portfolio_id, "token_key": token})).first()
    return None if row is None else HoldingRow(*row)


async def add_holding(
    db: AsyncSession, portfolio_id: uuid.UUID, token: str, amount: Decimal, basis: Decimal
) -> None:
    conn = await db.connection()
    values = {"portfolio_id": portfolio_id, "token": token, "amount": amount, "cost_basis_usd": basis}
    await conn.execute(_ADD_HOLDING, values)


async def swap_holding(db: AsyncSession, holding: HoldingRow, amount: Decimal, basis: Decimal) -> bool:
    """amount/basis := new values, only if the row still holds what we read and stays non-negative."""
    if amount < 0 or basis < 0:
        return False
    conn = await db.connection()
    values = {
        "holding_id": holding.id,
        "old_amount": holding.amount,
        "new_amount": amount,
        "new_basis": basis,
        "now": utcnow(),
    }
    return _rowcount(await conn.execute(_SWAP_HOLDING, values)) == 1


async def insert_trade(db: AsyncSession, values: dict[str, Any]) -> Row[Any] | None:
    """INSERT the trade and read it back as stored (RETURNING), in one round trip; a replay then
    returns exactly the same values. None when the user already has a trade with this
    Idempotency-Key (a concurrent retry won): nothing is written and the transaction stays usable."""
    conn = await db.connection()
    statement = _INSERT_TRADE[conn.dialect.name]
    return (await conn.execute(statement, {"id": uuid.uuid4(), "created_at": utcnow(), **values})).first()


# --- a fill's writes on PostgreSQL: ONE statement --------------------------------------------------
# Under the run's lock (taken by the order's first statement), the trade, the holding, the cash and the
# equity snapshot folded into the run's running figures are written by one statement of data-modifying
# CTEs: one round trip instead of four, while the lock is held. The trade goes first with ON CONFLICT DO
# NOTHING; every other write is conditional on it (`traded`), so a duplicate Idempotency-Key writes
# nothing at all. The holding and the cash are compare-and-swaps on the values read under the lock, and
# the statement reports whether each applied. `before` reads whether the snapshot can be folded in
# (`equity.foldable()`) from the row as the statement starts: the run's row cannot change meanwhile (we hold
# its lock), and an UPDATE's RETURNING would see the row already folded. When it cannot be folded (rare),
# the caller folds the run again from its rows. SQLite runs the same writes one statement at a time.
# No bind parameter is named after a column of a table the statement updates: SQLAlchemy would SET it.
class FillWrites(NamedTuple):
    trade: Row[Any] | None  # None: the user already has a trade with this Idempotency-Key
    holding_written: bool
    cash_written: bool
    folded: bool


def _bound_row(table: Table, prefix: str) -> dict[str, Any]:
    return {column.name: bindparam(f"{prefix}{column.name}", type_=column.type) for column in table.c}


def _insert_if(table: Table, values: dict[str, Any], condition: Any) -> Any:
    """INSERT … SELECT <values> WHERE <condition> (an INSERT … VALUES cannot be conditional)."""
    return insert(table).from_select(
        list(values), select(*(v.label(k) for k, v in values.items())).where(condition)
    )


def _fill_write_sql(new_holding: bool, realized: bool) -> Any:
    trade = (
        postgresql.insert(TRADES)
        .values(_bound_row(TRADES, "t_"))
        .on_conflict_do_nothing(index_elements=["user_id", "idempotency_key"])
        .returning(*TRADES.c)
        .cte("trade")
    )
    traded = select(trade.c.id).exists()
    if new_holding:
        holding_write = _insert_if(HOLDINGS, _bound_row(HOLDINGS, "h_"), traded)
    else:
        holding_write = (
            update(HOLDINGS)
            .where(_H.id == bindparam("holding_id"), _H.amount == bindparam("old_amount"), traded)
            .values(
                amount=bindparam("new_amount", type_=_H.amount.type),
                cost_basis_usd=bindparam("new_basis", type_=_H.cost_basis_usd.type),
                updated_at=bindparam("now", type_=_H.updated_at.type),
            )
        )
    holding = holding_write.returning(_H.id).cte("holding")
    snapshot = _insert_if(SNAPSHOTS, equity.SNAPSHOT_BINDS, traded).returning(_S.id).cte("snapshot")
    before = (
        select(_P.id, equity.foldable().label("foldable"))
        .where(_P.id == bindparam("run_id"))
        .cte("before")
        .prefix_with("MATERIALIZED")  # read once: inlined, each CASE below would probe the snapshots again
    )
    figures = equity.folded_figures(realized)
    run_row = (
        update(PORTFOLIOS)
        .where(
            _P.id == before.c.id,
            _P.balance == bindparam("old_cash", type_=_P.balance.type),
            _P.archived_at.is_(None),
            traded,
        )
        .values(
            balance=bindparam("new_cash", type_=_P.balance.type),
            updated_at=bindparam("now", type_=_P.updated_at.type),
            **{name: case((before.c.foldable, figure), else_=_P[name]) for name, figure in figures.items()},
        )
        .returning(_P.id, before.c.foldable)
        .cte("run_row")
    )
    return select(
        *trade.c,
        select(holding.c.id).exists().label("holding_written"),
        select(run_row.c.id).exists().label("cash_written"),
        func.coalesce(select(run_row.c.foldable).scalar_subquery(), False).label("folded"),
    ).add_cte(holding, snapshot)


_FILL_WRITE_SQL = {
    (new_holding, realized): _fill_write_sql(new_holding, realized)
    for new_holding in (False, True)
    for realized in (False, True)
}


async def write_fill_postgresql(
    db: AsyncSession,
    trade: dict[str, Any],
    holding: HoldingRow | None,
    holding_after: tuple[Decimal, Decimal],
    cash: tuple[Decimal, Decimal],
    snapshot: dict[str, Any],
) -> FillWrites:
    """The trade (`trade`: its columns but id and created_at), the holding (`holding` as read under the
    lock, None for a first buy; `holding_after`: its amount and cost basis), the cash (`cash`: as read
    under the lock and after) and the snapshot (`equity.snapshot_params`), in one statement."""
    amount, basis = holding_after
    old_cash, new_cash = cash
    now = snapshot["s_taken_at"]  # one instant for the whole fill
    params: dict[str, Any] = {f"t_{name}": value for name, value in trade.items()}
    params.update(
        t_id=uuid.uuid4(), t_created_at=now, now=now, old_cash=old_cash, new_cash=new_cash, **snapshot
    )
    portfolio_id = snapshot["run_id"]
    if holding is None:
        params.update(
            h_id=uuid.uuid4(),
            h_portfolio_id=portfolio_id,
            h_token=trade["token"],
            h_amount=amount,
            h_cost_basis_usd=basis,
            h_created_at=now,
            h_updated_at=now,
        )
    else:
        params.update(holding_id=holding.id, old_amount=holding.amount, new_amount=amount, new_basis=basis)
    statement = _FILL_WRITE_SQL[(holding is None, snapshot["s_realized"] is not None)]
    row = (await (await db.connection()).execute(statement, params)).first()
    if row is None:
        return FillWrites(None, False, False, False)
    return FillWrites(row, bool(row.holding_written), bool(row.cash_written), bool(row.folded))
