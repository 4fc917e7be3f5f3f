"""Ledger audit: every portfolio's cash and holdings must follow from its trade history.

Reusable after any scenario, over the real database the app used:
  cash     = starting balance − Σ buys' USD + Σ sells' USD
  holding  = Σ tokens bought − Σ tokens sold          (per token; a missing row means zero)
  basis    = Σ USD paid on buys − Σ basis removed by sells
A half-written trade (cash moved without a trade row, a trade without its holding change, ...)
breaks one of these equalities.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.core.db import Database
from eaili5.models import Holding, Portfolio, Trade
from eaili5.models.portfolio import STARTING_BALANCE_USD

ZERO = Decimal(0)


async def audit_ledger(database: Database) -> list[str]:
    """Every discrepancy found, in words; an empty list means the books balance."""
    async with database.sessionmaker() as db:
        portfolios = (await db.execute(select(Portfolio))).scalars().all()
        problems: list[str] = []
        for portfolio in portfolios:
            problems += await _audit_portfolio(db, portfolio)
        return problems


async def assert_ledger_reconciles(database: Database) -> int:
    """Fail with every discrepancy listed; returns how many portfolios were checked."""
    problems = await audit_ledger(database)
    assert not problems, "ledger does not reconcile:\n" + "\n".join(problems)
    async with database.sessionmaker() as db:
        return len((await db.execute(select(Portfolio.id))).all())


async def _audit_portfolio(db: AsyncSession, portfolio: Portfolio) -> list[str]:
    trades = (await db.execute(select(Trade).where(Trade.portfolio_id == portfolio.id))).scalars().all()
    holdings = (await db.execute(select(Holding).where(Holding.portfolio_id == portfolio.id))).scalars().all()
    cash = STARTING_BALANCE_USD
    amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    bases: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for trade in trades:
        sign = 1 if trade.side == "buy" else -1
        cash -= sign * trade.usd_amount
        amounts[trade.token] += sign * trade.token_amount
        bases[trade.token] += trade.usd_amount if trade.side == "buy" else -trade.cost_basis_usd
    problems = _compare(portfolio.id, "cash", cash, portfolio.balance)
    held = {holding.token: holding for holding in holdings}
    for token in set(amounts) | set(held):
        row = held.get(token)
        problems += _compare(portfolio.id, f"{token} amount", amounts[token], row.amount if row else ZERO)
        problems += _compare(
            portfolio.id, f"{token} basis", bases[token], row.cost_basis_usd if row else ZERO
        )
    return problems


def _compare(portfolio_id: uuid.UUID, what: str, expected: Decimal, actual: Decimal) -> list[str]:
    if expected == actual:
        return []
    return [f"portfolio {portfolio_id}: {what} is {actual}, the trades say {expected}"]
