"""A fill's writes: all or nothing, on both stacks.

PostgreSQL writes the trade, the holding, the cash and the folded equity snapshot in one statement of
data-modifying CTEs, every write conditional on the trade's insert; SQLite writes them one statement at a
time, the trade first. Either way a duplicate Idempotency-Key met at the write (a concurrent retry that
filled between the key check and the insert) must write nothing else at all.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from eaili5.models import EquitySnapshot, Holding, Portfolio, Trade
from eaili5.portfolio import equity, repository
from eaili5.portfolio.schemas import OrderIn
from eaili5.portfolio.service import DuplicateKey, PortfolioService
from tests.portfolio.conftest import BALD, WETH, assert_ledger_reconciles, order

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


async def _rows(app: Any, user_id: uuid.UUID) -> dict[str, Any]:
    """What a fill writes, as stored: cash, running figures, holdings, trade and snapshot counts."""
    async with app.state.eaili5.db.transaction() as db:
        run = (
            await db.execute(
                select(Portfolio).where(Portfolio.user_id == user_id, Portfolio.archived_at.is_(None))
            )
        ).scalar_one()
        holdings = (await db.execute(select(Holding.token, Holding.amount, Holding.cost_basis_usd))).all()
        trades = (await db.execute(select(func.count()).select_from(Trade))).scalar_one()
        snapshots = (await db.execute(select(func.count()).select_from(EquitySnapshot))).scalar_one()
    figures = (run.balance, run.peak_value_usd, run.fall_peak_usd, run.realized_pnl_usd, run.folded_at)
    return {"run": figures, "holdings": sorted(holdings), "trades": trades, "snapshots": snapshots}


@pytest.mark.parametrize(
    "body",
    [
        {"side": "buy", "token": WETH, "usd_amount": "5"},  # adds to a holding
        {"side": "buy", "token": BALD, "usd_amount": "5"},  # a first buy: a new holding
        {"side": "sell", "token": WETH, "percent": "50"},  # realized P&L
    ],
    ids=["buy-more", "first-buy", "sell"],
)
async def test_a_duplicate_key_met_at_the_write_writes_nothing(
    app: Any, client: httpx.AsyncClient, guest: dict[str, str], body: dict[str, str]
) -> None:
    key = str(uuid.uuid4())
    first = await order(client, guest, key, side="buy", token=WETH, usd_amount="20")
    assert first.status_code == 201, first.text
    user_id = uuid.UUID((await client.get("/api/me", headers=guest)).json()["id"])
    before = await _rows(app, user_id)
    service = PortfolioService(app.state.eaili5.market, app.state.eaili5.settings)
    priced = await service.priced(body["token"])

    async with app.state.eaili5.db.transaction() as db:
        run = await repository.lock_run_with_key(db, user_id, key)
        assert run is not None
        with pytest.raises(DuplicateKey):  # the key check is skipped: the write itself must refuse
            await service.execute(
                db, user_id, run.id, OrderIn(**body), priced, key, "a different order", None, run.cash
            )
        # place_order goes on in this transaction (it reads the winning trade) and commits it.

    assert await _rows(app, user_id) == before
    await assert_ledger_reconciles(client, guest)


def test_no_bind_parameter_of_the_write_adds_a_set_clause(app: Any) -> None:
    """SQLAlchemy SETs a column of an UPDATE's table when a parameter is named after it (`portfolio_id`
    on holdings, say). Compiled with the parameter names the write sends, each statement is unchanged."""
    dialect = app.state.eaili5.db.engine.sync_engine.dialect
    if dialect.name != "postgresql":
        pytest.skip("SQLite writes one statement at a time")
    sent = {f"t_{column.name}" for column in repository.TRADES.c}
    snapshot = equity.snapshot_params(
        uuid.uuid4(), equity.Valuation(Decimal(1), Decimal(0)), "trade", NOW, None
    )
    sent |= set(snapshot)
    sent |= {"now", "old_cash", "new_cash", "holding_id", "old_amount", "new_amount", "new_basis"}
    sent |= {f"h_{column.name}" for column in repository.HOLDINGS.c}
    for shape, statement in repository._FILL_WRITE_SQL.items():
        plain = statement.compile(dialect=dialect).string
        assert statement.compile(dialect=dialect, column_keys=sorted(sent)).string == plain, shape
