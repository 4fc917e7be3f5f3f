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
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.portfolio.schemas import OrderIn
from eaili5.portfolio.service import PortfolioService
from tests.portfolio.conftest import BALD, MOG, USDC, WETH, order
from tests.sql_recording import recorded_statements, verbs

# lock + cash + key check, holdings, then the writes. PostgreSQL: the trade, the holding, the cash and the
# equity snapshot folded into the run's running figures in one statement. SQLite: one statement each, and
# the snapshot's INSERT returns the running figures, an UPDATE writes them back.
MARKET_ORDER_STATEMENTS = {"postgresql": 3, "sqlite": 7}
# the run (with its running figures: drawdown, realized P&L) and its holdings: one union, one snapshot
PORTFOLIO_VIEW_STATEMENTS = 1


def market_order_statements(app: Any) -> int:
    return MARKET_ORDER_STATEMENTS[app.state.eaili5.db.engine.dialect.name]


@asynccontextmanager
async def counted(app: Any) -> AsyncIterator[tuple[AsyncSession, Callable[[], list[str]]]]:
    """A transaction on the app's database, and the statements sent on its connection so far."""
    async with app.state.eaili5.db.transaction() as db:
        mine = (await db.connection()).sync_connection
        with recorded_statements(app, lambda seen: seen.connection is mine) as sent:
            yield db, lambda: verbs(sent)


async def user_of(client: httpx.AsyncClient, headers: dict[str, str]) -> uuid.UUID:
    response = await client.get("/api/me", headers=headers)
    assert response.status_code == 200, response.text
    return uuid.UUID(response.json()["id"])


async def place(app: Any, user_id: uuid.UUID, **body: Any) -> tuple[int, bool]:
    """Place one market order in its own transaction: (statements sent, replayed)."""
    service = PortfolioService(app.state.eaili5.market, app.state.eaili5.settings)
    async with counted(app) as (db, statements):
        placed = await service.place_order(db, user_id, OrderIn(**body), str(uuid.uuid4()))
        return len(statements()), placed.replayed


async def test_a_market_order_costs_a_fixed_number_of_statements(
    app: Any, client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    await client.get("/api/portfolio", headers=guest)  # the portfolio exists, as after the first visit
    user_id = await user_of(client, guest)
    first_buy = await place(app, user_id, side="buy", token=WETH, usd_amount="10")
    second_buy = await place(app, user_id, side="buy", token=WETH, usd_amount="10")
    sell = await place(app, user_id, side="sell", token=WETH, percent="50")
    assert first_buy == second_buy == sell == (market_order_statements(app), False)


async def test_statements_per_order_and_view_do_not_grow_with_holdings(
    app: Any, client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    await client.get("/api/portfolio", headers=guest)
    user_id = await user_of(client, guest)
    counts = [
        (await place(app, user_id, side="buy", token=token, usd_amount="5"))[0]
        for token in (WETH, USDC, BALD, MOG)
    ]
    assert counts == [market_order_statements(app)] * 4
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


async def _learning_statements_after_fill(app: Any, client: httpx.AsyncClient, guest: dict[str, str]) -> int:
    """Place a small calm buy (no hint is due) and count what learning's fill subscriber sends."""
    response = await order(client, guest, str(uuid.uuid4()), side="buy", token=WETH, usd_amount="5")
    assert response.status_code == 201, response.text
    with recorded_statements(app) as seen:
        await app.state.eaili5.events.drain()  # the subscriber runs in the background, after the commit
    return len(verbs(seen))


async def test_a_fill_with_nothing_new_to_learn_costs_learning_no_statement(
    app: Any, client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    """The first fill writes the badge; the next reads it (committed: remembered); after that a fill
    that deserves no hint sends nothing at all."""
    first = await _learning_statements_after_fill(app, client, guest)
    second = await _learning_statements_after_fill(app, client, guest)
    third = await _learning_statements_after_fill(app, client, guest)
    assert first == 3  # learner lock, badges, the new badge
    assert second == 2  # learner lock, badges (already there)
    assert third == 0
    badges = (await client.get("/api/learn/progress", headers=guest)).json()["badges"]
    assert {badge["id"]: badge["earned"] for badge in badges}["first-practice-trade"] is True


async def test_the_portfolio_read_is_one_statement_and_the_same_view(
    app: Any, client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    """GET /api/portfolio reads in autocommit: one statement, so one consistent snapshot of the data."""
    await client.get("/api/portfolio", headers=guest)
    user_id = await user_of(client, guest)
    await place(app, user_id, side="buy", token=WETH, usd_amount="10")
    await place(app, user_id, side="sell", token=WETH, percent="50")
    service = PortfolioService(app.state.eaili5.market, app.state.eaili5.settings)
    with recorded_statements(app) as seen:
        read = await service.read(app.state.eaili5.db, user_id)
    assert verbs(seen) == ["SELECT"]
    async with app.state.eaili5.db.transaction() as db:
        viewed = await service.view(db, user_id)
    assert read.model_dump(exclude={"as_of"}) == viewed.model_dump(exclude={"as_of"})
    assert read.realized_pnl_usd != 0 and len(read.holdings) == 1
