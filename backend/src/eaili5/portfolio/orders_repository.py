"""SQL for limit, stop-loss and take-profit orders. Flushes only; the caller's transaction commits.

Every status change is a conditional UPDATE (`WHERE status = 'open'`) whose row count says who won:
a cancel and a fill racing for the same order cannot both succeed (on PostgreSQL the second UPDATE
waits for the first one's row lock, then finds the status changed; SQLite serializes writers).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.models import Order, Trade
from eaili5.models.base import utcnow


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def add(db: AsyncSession, order: Order) -> Order:
    db.add(order)
    await db.flush()
    await db.refresh(order)
    return order


async def by_key(db: AsyncSession, user_id: uuid.UUID, key: str) -> Order | None:
    query = select(Order).where(Order.user_id == user_id, Order.idempotency_key == key)
    return (await db.execute(query)).scalar_one_or_none()


async def get(db: AsyncSession, order_id: uuid.UUID) -> Order | None:
    query = select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
    return (await db.execute(query)).scalar_one_or_none()


async def count_open(db: AsyncSession, portfolio_id: uuid.UUID) -> int:
    query = select(Order.id).where(Order.portfolio_id == portfolio_id, Order.status == "open")
    return len((await db.execute(query)).all())


async def page(db: AsyncSession, portfolio_id: uuid.UUID, status: str | None, limit: int) -> list[Order]:
    """Newest first."""
    query = select(Order).where(Order.portfolio_id == portfolio_id)
    if status is not None:
        query = query.where(Order.status == status)
    query = query.order_by(Order.created_at.desc(), Order.id.desc()).limit(limit)
    return list((await db.execute(query.execution_options(populate_existing=True))).scalars())


async def open_for_tokens(db: AsyncSession, tokens: Sequence[str]) -> list[Order]:
    """Open orders on these tokens, oldest first (first placed, first filled)."""
    if not tokens:
        return []
    query = (
        select(Order)
        .where(Order.status == "open", Order.token.in_(tokens))
        .order_by(Order.created_at, Order.id)
    )
    return list((await db.execute(query)).scalars())


async def due_to_expire(db: AsyncSession, now: datetime) -> list[Order]:
    query = select(Order).where(Order.status == "open", Order.expires_at <= now)
    return list((await db.execute(query)).scalars())


async def close(
    db: AsyncSession,
    order_id: uuid.UUID,
    status: str,
    reason: str | None = None,
    user_id: uuid.UUID | None = None,
) -> bool:
    """open -> `status`, only if it is still open (and, when given, belongs to `user_id`)."""
    query = update(Order).where(Order.id == order_id, Order.status == "open")
    if user_id is not None:
        query = query.where(Order.user_id == user_id)
    now = utcnow()
    values = {"status": status, "closed_at": now, "updated_at": now, "failure_reason": reason}
    result = await db.execute(query.values(**values).execution_options(synchronize_session=False))
    return _rowcount(result) == 1


async def fail(db: AsyncSession, order_id: uuid.UUID, reason: str) -> None:
    """A claimed (filled) order whose fill was refused: record why."""
    await db.execute(
        update(Order)
        .where(Order.id == order_id)
        .values(status="failed", failure_reason=reason[:300], trade_id=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def link_trade(db: AsyncSession, order_id: uuid.UUID, trade_id: uuid.UUID) -> None:
    await db.execute(
        update(Order)
        .where(Order.id == order_id)
        .values(trade_id=trade_id, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def close_open(db: AsyncSession, portfolio_id: uuid.UUID, status: str, reason: str) -> None:
    now = utcnow()
    await db.execute(
        update(Order)
        .where(Order.portfolio_id == portfolio_id, Order.status == "open")
        .values(status=status, closed_at=now, updated_at=now, failure_reason=reason)
        .execution_options(synchronize_session=False)
    )


async def trades_by_id(db: AsyncSession, trade_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Trade]:
    if not trade_ids:
        return {}
    query = select(Trade).where(Trade.id.in_(trade_ids))
    return {trade.id: trade for trade in (await db.execute(query)).scalars()}
