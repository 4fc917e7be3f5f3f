"""Schema rules the database itself enforces, on both backends."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from eaili5.core import migrations
from eaili5.core.settings import Settings
from eaili5.models import Portfolio, User


async def test_models_and_migrations_agree(settings: Settings) -> None:
    import asyncio

    await asyncio.to_thread(migrations.check, settings)  # alembic check: raises on any difference


async def test_portfolio_starts_with_100_dollars_as_decimal(app: Any) -> None:
    async with app.state.eaili5.db.transaction() as db:
        user = User()
        db.add(user)
        await db.flush()
        portfolio = Portfolio(user_id=user.id)
        db.add(portfolio)
        await db.flush()
        await db.refresh(portfolio)
        assert portfolio.balance == Decimal("100.00")
        assert isinstance(portfolio.balance, Decimal)


async def test_balance_can_never_be_negative(app: Any) -> None:
    with pytest.raises(IntegrityError):
        async with app.state.eaili5.db.transaction() as db:
            user = User()
            db.add(user)
            await db.flush()
            db.add(Portfolio(user_id=user.id, balance=Decimal("-0.01")))
            await db.flush()


async def test_wallet_addresses_are_lowercase_and_unique(app: Any) -> None:
    with pytest.raises(IntegrityError):
        async with app.state.eaili5.db.transaction() as db:
            db.add(User(wallet_address="0xAbC0000000000000000000000000000000000001"))
            await db.flush()
    address = "0xabc0000000000000000000000000000000000001"
    async with app.state.eaili5.db.transaction() as db:
        db.add(User(wallet_address=address))
    with pytest.raises(IntegrityError):
        async with app.state.eaili5.db.transaction() as db:
            db.add(User(wallet_address=address))
            await db.flush()
