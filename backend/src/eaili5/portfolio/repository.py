"""All SQL for portfolios, holdings and trades. Flushes only; the request commits.

Writes that guard an invariant are conditional (compare-and-swap on the value read) and report
whether they applied. Values are computed in Python with `Decimal`: SQLite would do SQL arithmetic
on floats.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.models import Holding, Portfolio, Trade
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
    query = select(Holding).where(Holding.portfolio_id == portfolio_id).order_by(Holding.created_at)
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


async def add_trade(db: AsyncSession, trade: Trade) -> Trade:
    db.add(trade)
    await db.flush()
    await db.refresh(trade)  # read back as stored, so a replay returns exactly the same values
    return trade


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
