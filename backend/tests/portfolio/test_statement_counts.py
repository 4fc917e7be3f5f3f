"""How many SQL statements the hot trading paths send, on both storage stacks (not a timing test).

A market order is the trading benchmark's whole load (bench/trading): each statement is a round trip
to PostgreSQL while the portfolio's row lock is held. These tests pin the counts, and check that they
do not grow with the number of holdings (an N+1 would). Statements are counted on the order's own
connection only, so the poller and other background work cannot blur them.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.portfolio.schemas import OrderIn
from eaili5.portfolio.service import PortfolioService
from tests.portfolio.conftest import BALD, MOG, USDC, WETH

# current portfolio + key check, lock + cash, holdings, trade, holding, cash, equity snapshot
MARKET_ORDER_STATEMENTS = 7
# portfolio, holdings, snapshot values (drawdown), realized P&L
PORTFOLIO_VIEW_STATEMENTS = 4


@asynccontextmanager
async def counted(app: Any) -> AsyncIterator[tuple[AsyncSession, Callable[[], list[str]]]]:
    """A transaction on the app's database, and the statements sent on its connection so far."""
    seen: list[str] = []
    async with app.state.eaili5.db.transaction() as db:
        mine = (await db.connection()).sync_connection

        def record(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            if conn is mine:
                seen.append(statement.split()[0].upper())

        engine = app.state.eaili5.db.engine.sync_engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield db, lambda: [s for s in seen if s not in ("BEGIN", "COMMIT", "ROLLBACK")]
        finally:
            event.remove(engine, "before_cursor_execute", record)


async def user_of(client: httpx.AsyncClient, headers: dict[str, str]) -> uuid.UUID:
    response = await client.get("/api/me", headers=headers)
    assert response.status_code == 200, response.text
    return uuid.UUID(response.json()["id"])


async def place(app: Any, user_id: uuid.UUID, **body: Any) -> tuple[int, bool]:
    """Place one market order in its own transaction: (statements sent, replayed)."""
    service = PortfolioService(app.state.eaili5.market, app.state.eaili5.settings)
    async with counted(app) as (db, statements):
        _, replayed = await service.place_order(db, user_id, OrderIn(**body), str(uuid.uuid4()))
        return len(statements()), replayed


async def test_a_market_order_costs_a_fixed_number_of_statements(
    app: Any, client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    await client.get("/api/portfolio", headers=guest)  # the portfolio exists, as after the first visit
    user_id = await user_of(client, guest)
    first_buy = await place(app, user_id, side="buy", token=WETH, usd_amount="10")
    second_buy = await place(app, user_id, side="buy", token=WETH, usd_amount="10")
    sell = await place(app, user_id, side="sell", token=WETH, percent="50")
    assert first_buy == second_buy == sell == (MARKET_ORDER_STATEMENTS, False)


async def test_statements_per_order_and_view_do_not_grow_with_holdings(
    app: Any, client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    await client.get("/api/portfolio", headers=guest)
    user_id = await user_of(client, guest)
    counts = [
        (await place(app, user_id, side="buy", token=token, usd_amount="5"))[0]
        for token in (WETH, USDC, BALD, MOG)
    ]
    assert counts == [MARKET_ORDER_STATEMENTS] * 4
    service = PortfolioService(app.state.eaili5.market, app.state.eaili5.settings)
    async with counted(app) as (db, statements):
        view = await service.view(db, user_id)
        assert len(view.holdings) == 4
        assert len(statements()) == PORTFOLIO_VIEW_STATEMENTS


async def test_the_fewer_statements_still_keep_the_ledger_exact(
    app: Any, client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    """The order is valued from what it read under the lock: its snapshot equals a fresh valuation."""
    await client.get("/api/portfolio", headers=guest)
    user_id = await user_of(client, guest)
    await place(app, user_id, side="buy", token=WETH, usd_amount="10")
    await place(app, user_id, side="buy", token=BALD, usd_amount="3")
    await place(app, user_id, side="sell", token=WETH, percent="25")
    view = (await client.get("/api/portfolio", headers=guest)).json()
    chart = (await client.get("/api/portfolio/equity", headers=guest)).json()
    trade_points = [p for p in chart["points"] if p["kind"] == "trade"]
    assert len(trade_points) == 3
    # Prices did not move between the last trade and now, so its snapshot is today's value.
    assert Decimal(trade_points[-1]["total_value_usd"]) == Decimal(view["total_value_usd"])
    assert Decimal(trade_points[-1]["cash_usd"]) == Decimal(view["cash_usd"])
