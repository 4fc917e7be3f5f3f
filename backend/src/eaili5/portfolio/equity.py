"""Equity snapshots: a run's total value over time, for the chart, max drawdown and the leaderboard.

A snapshot is written after every trade (in the trade's transaction) and periodically by the polling
instance for every current run that holds tokens (a cash-only run's value cannot move). So between two
snapshots a run's value changed only through prices, and a run with no snapshot before some time was
still all cash ($100) then: the leaderboard's weekly base relies on that.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.market.schemas import PriceTick
from eaili5.models import EquitySnapshot, Holding, Portfolio
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


async def snapshot(
    db: AsyncSession, portfolio_id: uuid.UUID, value: Valuation, reason: str, at: datetime | None = None
) -> None:
    row = EquitySnapshot(
        portfolio_id=portfolio_id,
        total_value_usd=even(value.total, USD_SCALE),
        cash_usd=even(value.cash, USD_SCALE),
        reason=reason,
    )
    if at is not None:
        row.taken_at = at
    db.add(row)
    await db.flush()


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
