"""All SQL for portfolios, holdings and trades. Flushes only; the request commits.

Writes that guard an invariant are conditional (compare-and-swap on the value read) and report
whether they applied. Values are computed in Python with `Decimal`: SQLite would do SQL arithmetic
on floats.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.models import Holding, Order, Portfolio, Trade
from eaili5.models.base import utcnow


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def current_portfolio(db: AsyncSession, user_id: uuid.UUID) -> Portfolio | None:
    query = (
        select(Portfolio)
        .where(Portfolio.user_id == user_id, Portfolio.archived_at.is_(None))
        .execution_options(populate_existing=True)
    )
    return (await db.execute(query)).scalar_one_or_none()


async def current_with_key(
    db: AsyncSession, user_id: uuid.UUID, idempotency_key: str
) -> tuple[Portfolio, uuid.UUID | None, bool] | None:
    """The current portfolio, the id of the user's trade with this Idempotency-Key (if any), and
    whether a waiting order already uses the key: one round trip instead of three on every order.
    None when the user has no current portfolio yet."""
    trade_id = (
        select(Trade.id)
        .where(Trade.user_id == user_id, Trade.idempotency_key == idempotency_key)
        .scalar_subquery()
    )
    order_used = exists().where(Order.user_id == user_id, Order.idempotency_key == idempotency_key)
    query = (
        select(Portfolio, trade_id, order_used)
        .where(Portfolio.user_id == user_id, Portfolio.archived_at.is_(None))
        .execution_options(populate_existing=True)
    )
    row = (await db.execute(query)).one_or_none()
    if row is None:
        return None
    portfolio, found_trade, used = row
    return portfolio, found_trade, bool(used)


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


async def lock_and_read_cash(db: AsyncSession, portfolio_id: uuid.UUID) -> Decimal | None:
    """`lock_portfolio` and `cash` in one statement (UPDATE … RETURNING): the cash as of the lock.
    None when the run was archived meanwhile."""
    result = await db.execute(
        update(Portfolio)
        .where(Portfolio.id == portfolio_id, Portfolio.archived_at.is_(None))
        .values(updated_at=utcnow())
        .returning(Portfolio.balance)
        .execution_options(synchronize_session=False)
    )
    balance = result.scalar_one_or_none()
    return None if balance is None else Decimal(balance)


async def cash(db: AsyncSession, portfolio_id: uuid.UUID) -> Decimal:
    query = select(Portfolio.balance).where(Portfolio.id == portfolio_id)
    return Decimal((await db.execute(query)).scalar_one())


async def set_cash(db: AsyncSession, portfolio_id: uuid.UUID, old: Decimal, new: Decimal) -> bool:
    """balance := new, only if it is still `old` and `new` is not negative."""
    if new < 0:
        return False
    result = await db.execute(
        update(Portfolio)
        .where(Portfolio.id == portfolio_id, Portfolio.balance == old, Portfolio.archived_at.is_(None))
        .values(balance=new)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def find_holding(db: AsyncSession, portfolio_id: uuid.UUID, token: str) -> Holding | None:
    query = (
        select(Holding)
        .where(Holding.portfolio_id == portfolio_id, Holding.token == token)
        .execution_options(populate_existing=True)
    )
    return (await db.execute(query)).scalar_one_or_none()


async def holdings(db: AsyncSession, portfolio_id: uuid.UUID) -> list[Holding]:
    query = (
        select(Holding)
        .where(Holding.portfolio_id == portfolio_id)
        .order_by(Holding.created_at)
        # The ledger updates holdings with plain UPDATEs, so objects already loaded may be old.
        .execution_options(populate_existing=True)
    )
    return list((await db.execute(query)).scalars())


async def add_holding(
    db: AsyncSession, portfolio_id: uuid.UUID, token: str, amount: Decimal, basis: Decimal
) -> None:
    db.add(Holding(portfolio_id=portfolio_id, token=token, amount=amount, cost_basis_usd=basis))
    await db.flush()


async def swap_holding(db: AsyncSession, holding: Holding, amount: Decimal, basis: Decimal) -> bool:
    """amount/basis := new values, only if the row still holds what we read and stays non-negative."""
    if amount < 0 or basis < 0:
        return False
    result = await db.execute(
        update(Holding)
        .where(Holding.id == holding.id, Holding.amount == holding.amount)
        .values(amount=amount, cost_basis_usd=basis, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def find_trade(db: AsyncSession, user_id: uuid.UUID, idempotency_key: str) -> Trade | None:
    query = select(Trade).where(Trade.user_id == user_id, Trade.idempotency_key == idempotency_key)
    return (await db.execute(query)).scalar_one_or_none()


async def insert_trade(db: AsyncSession, values: dict[str, Any]) -> Trade | None:
    """INSERT the trade and read it back as stored (RETURNING), in one round trip; a replay then
    returns exactly the same values. None when the user already has a trade with this
    Idempotency-Key (a concurrent retry won): nothing is written and the transaction stays usable."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    now = utcnow()
    statement = (
        dialect.insert(Trade)
        .values(id=uuid.uuid4(), created_at=now, **values)
        .on_conflict_do_nothing(index_elements=["user_id", "idempotency_key"])
        .returning(Trade)
    )
    return (await db.scalars(statement)).one_or_none()


async def realized_pnls(db: AsyncSession, portfolio_id: uuid.UUID) -> list[Decimal]:
    query = select(Trade.realized_pnl_usd).where(
        Trade.portfolio_id == portfolio_id, Trade.realized_pnl_usd.is_not(None)
    )
    return [value for value in (await db.execute(query)).scalars() if value is not None]


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
