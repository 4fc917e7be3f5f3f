"""The running figures on the run's row (peak, worst fall, realized P&L) against a full recomputation.

The portfolio view used to read every snapshot and sell of the run; it now reads the figures each
snapshot folds into the run's row. Whatever the path (trades, periodic snapshots, a back-dated
snapshot, a reset, the migration's backfill), the view must show exactly what the full recomputation
gives: `max_drawdown_pct([100, *snapshot values, total])` and the sum of the run's realized P&L.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import httpx
import pytest
from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.core import migrations
from eaili5.core.db import create_engine
from eaili5.core.settings import Settings
from eaili5.models import EquitySnapshot, Portfolio, Trade
from eaili5.models.portfolio import STARTING_BALANCE_USD
from eaili5.portfolio import equity, repository
from eaili5.portfolio.equity import Running, Valuation, max_drawdown_pct
from tests.conftest import auth, new_guest
from tests.portfolio.conftest import (
    BALD,
    DEFAULT_PRICES,
    WETH,
    assert_ledger_reconciles,
    board,
    order,
    set_prices,
    ticker,
)
from tests.sql_recording import recorded_statements

BEFORE_RUNNING_FIGURES = "a9e6b7c8d0f1"  # the revision before the one that adds them
_FIGURES = ("peak_value_usd", "fall_peak_usd", "fall_low_usd", "realized_pnl_usd", "folded_at")


# --- the fold itself --------------------------------------------------------------------------------
def _recomputed(values: list[Decimal], total: Decimal) -> Decimal:
    return max_drawdown_pct([STARTING_BALANCE_USD, *values, total])


def _folded(values: list[Decimal]) -> Running:
    figures = Running()
    for value in values:
        figures = figures.after(value)
    return figures


@pytest.mark.parametrize("seed", range(20))
def test_the_fold_equals_the_full_drawdown_at_every_step(seed: int) -> None:
    rng = random.Random(seed)
    values: list[Decimal] = []
    for _ in range(60):
        # Rises, falls, repeats and flat stretches, on the 8-decimal grid snapshots are stored on.
        step = rng.choice([Decimal(0), Decimal(rng.randint(-3000, 3000)) / 100, Decimal("-0.00000001")])
        values.append(max(Decimal(0), (values[-1] if values else STARTING_BALANCE_USD) + step))
        for total in (values[-1], values[-1] + 1, values[-1] / 2, Decimal(0)):
            assert _folded(values).max_drawdown_pct(total) == _recomputed(values, total)


@pytest.mark.parametrize(
    "values",
    [
        [],
        [Decimal("160"), Decimal("159.99")],  # a fall of exactly 0.00625 %: a rounding tie at 4 places
        [Decimal("100"), Decimal("100"), Decimal("99.99999999")],
        [Decimal("50"), Decimal("200"), Decimal("150"), Decimal("100"), Decimal("150")],
        [Decimal("0"), Decimal("0")],
    ],
)
def test_edge_sequences(values: list[Decimal]) -> None:
    for total in (Decimal("100"), Decimal("159.99"), Decimal("0"), Decimal("1000")):
        assert _folded(values).max_drawdown_pct(total) == _recomputed(values, total)


def test_realized_pnl_sums_like_the_rows_did() -> None:
    assert Running().realized_pnl_usd == Decimal(0)
    figures = Running().plus_realized(Decimal("1.50000000")).plus_realized(None)
    figures = figures.plus_realized(Decimal("-2.25000000"))
    assert format(figures.realized_pnl_usd, "f") == format(
        Decimal(0) + Decimal("1.50000000") + Decimal("-2.25000000"), "f"
    )


# --- on the database ----------------------------------------------------------------------------------
async def _user_id(client: httpx.AsyncClient, headers: dict[str, str]) -> uuid.UUID:
    return uuid.UUID((await client.get("/api/me", headers=headers)).json()["id"])


async def _current(db: AsyncSession, user_id: uuid.UUID) -> Portfolio:
    portfolio = await repository.current_portfolio(db, user_id)
    assert portfolio is not None
    return portfolio


async def _stored_state(app: Any, user_id: uuid.UUID) -> repository.PortfolioState:
    async with app.state.eaili5.db.transaction() as db:
        state = await repository.portfolio_state(await db.connection(), user_id)
    assert state is not None
    return state


async def _stored(app: Any, user_id: uuid.UUID) -> Running:
    return (await _stored_state(app, user_id)).running


async def _full(app: Any, portfolio_id: uuid.UUID) -> tuple[list[Decimal], Decimal]:
    """The run's snapshot values in order and the sum of its realized P&L, from the rows."""
    async with app.state.eaili5.db.transaction() as db:
        values = await equity.values(db, portfolio_id)
        query = select(Trade.realized_pnl_usd).where(
            Trade.portfolio_id == portfolio_id, Trade.realized_pnl_usd.is_not(None)
        )
        realized = sum((await db.execute(query)).scalars(), Decimal(0))
    return values, realized


async def _assert_view_matches_rows(app: Any, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    view = (await client.get("/api/portfolio", headers=headers)).json()
    async with app.state.eaili5.db.transaction() as db:
        portfolio_id = (await _current(db, await _user_id(client, headers))).id
    values, realized = await _full(app, portfolio_id)
    total = Decimal(view["total_value_usd"])
    assert view["max_drawdown_pct"] == format(_recomputed(values, total), "f"), (values, view)
    assert view["realized_pnl_usd"] == format(realized, "f")


async def test_snapshots_fold_exactly_in_the_database(
    app: Any, client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    """Values chosen for ties and near-ties, written one transaction each (PostgreSQL folds in SQL,
    SQLite in Python), plus one back-dated snapshot that lands out of order."""
    await client.get("/api/portfolio", headers=guest)
    user_id = await _user_id(client, guest)
    sequence = ["160", "159.99", "159.99", "200", "150", "175", "131.25", "131.25000001", "90", "300"]
    sequence += ["299.99999999", "100", "225"]
    for number, value in enumerate(sequence):
        async with app.state.eaili5.db.transaction() as db:
            portfolio_id = (await _current(db, user_id)).id
            reason = "trade" if number % 2 else "periodic"
            await equity.snapshot(db, portfolio_id, Valuation(Decimal(value), Decimal(0)), reason)
        values, _ = await _full(app, portfolio_id)
        stored = await _stored(app, user_id)
        for total in (Decimal(value), Decimal("120"), Decimal("0")):
            assert stored.max_drawdown_pct(total) == _recomputed(values, total), (value, values)
    async with app.state.eaili5.db.transaction() as db:
        long_ago = datetime.now(UTC) - timedelta(days=2)
        await equity.snapshot(db, portfolio_id, Valuation(Decimal(10), Decimal(0)), "periodic", at=long_ago)
    values, _ = await _full(app, portfolio_id)
    assert values[0] == Decimal(10)  # ordered first: the whole run was folded again
    stored = await _stored(app, user_id)
    assert stored.max_drawdown_pct(Decimal(225)) == _recomputed(values, Decimal(225)) == Decimal(90)


async def _as_if_the_old_release_traded(app: Any, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """A sell whose snapshot and realized P&L are in the rows only, as an instance still on the
    previous release (which does not fold) leaves them during a deploy's migrate and canary."""
    user_id = await _user_id(client, headers)
    async with app.state.eaili5.db.transaction() as db:
        run = await _current(db, user_id)
        before = {name: getattr(run, name) for name in _FIGURES}
    sell = await order(client, headers, str(uuid.uuid4()), side="sell", token=WETH, percent="50")
    assert sell.status_code == 201, sell.text
    async with app.state.eaili5.db.transaction() as db:
        await db.execute(update(Portfolio).where(Portfolio.id == run.id).values(before))
        state = await repository.portfolio_state(await db.connection(), user_id)
        assert state is not None and state.stale


async def test_a_sell_nobody_folded_is_caught_by_the_next_snapshot_or_read(
    app: Any, client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    """The next snapshot the new release writes (a trade here; a periodic one does the same) sees a
    snapshot newer than the last one folded in and folds the run again from its rows; so does the
    next portfolio read (one index probe tells it), for a run that may never trade again."""
    buy = await order(client, guest, str(uuid.uuid4()), side="buy", token=WETH, usd_amount="40")
    assert buy.status_code == 201, buy.text
    await set_prices(app, {**DEFAULT_PRICES, WETH: ("2600", "2000000")})
    await _as_if_the_old_release_traded(app, client, guest)
    await set_prices(app, {**DEFAULT_PRICES, WETH: ("1200", "2000000")})
    again = await order(client, guest, str(uuid.uuid4()), side="buy", token=WETH, usd_amount="5")
    assert again.status_code == 201, again.text
    user_id = await _user_id(client, guest)
    assert not (await _stored_state(app, user_id)).stale  # the trade folded the run again
    await _assert_view_matches_rows(app, client, guest)
    realized = Decimal((await client.get("/api/portfolio", headers=guest)).json()["realized_pnl_usd"])
    assert realized > 0

    await set_prices(app, {**DEFAULT_PRICES, WETH: ("3000", "2000000")})
    await _as_if_the_old_release_traded(app, client, guest)
    await _assert_view_matches_rows(app, client, guest)  # the read folded it again
    assert not (await _stored_state(app, user_id)).stale
    assert Decimal((await client.get("/api/portfolio", headers=guest)).json()["realized_pnl_usd"]) > realized


async def test_a_fill_stamped_before_the_last_folded_snapshot_folds_the_run_again(
    app: Any, client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    """A periodic pass stamped later than a fill's own snapshot (its clock ahead, or stamped at its start
    and landing late) leaves that snapshot not newer than the last one folded in. The fill's write then
    changes the cash and writes the rows but folds nothing; the run is folded again from its rows, this
    sell's realized P&L included, once and only once."""
    buy = await order(client, guest, str(uuid.uuid4()), side="buy", token=WETH, usd_amount="40")
    assert buy.status_code == 201, buy.text
    user_id = await _user_id(client, guest)
    async with app.state.eaili5.db.transaction() as db:
        run_id = (await _current(db, user_id)).id
        ahead = datetime.now(UTC) + timedelta(minutes=5)
        await equity.snapshot(db, run_id, Valuation(Decimal(60), Decimal(40)), "periodic", at=ahead)
    await set_prices(app, {**DEFAULT_PRICES, WETH: ("2600", "2000000")})
    sell = await order(client, guest, str(uuid.uuid4()), side="sell", token=WETH, percent="50")
    assert sell.status_code == 201, sell.text
    realized = Decimal(sell.json()["trade"]["realized_pnl_usd"])
    assert realized > 0
    state = await _stored_state(app, user_id)
    assert not state.stale and state.running.realized_pnl_usd == realized
    await _assert_view_matches_rows(app, client, guest)
    await assert_ledger_reconciles(client, guest)


async def test_after_many_trades_periodic_snapshots_and_a_reset_the_view_equals_a_recomputation(
    app: Any, client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    rng = random.Random(5)
    hook = ticker(app)
    prices = dict(DEFAULT_PRICES)
    for step in range(24):
        weth = Decimal(prices[WETH][0]) * Decimal(rng.choice(["0.8", "0.93", "1", "1.05", "1.2"]))
        prices[WETH] = (format(weth, "f"), prices[WETH][1])
        await set_prices(app, prices)
        if step % 3 == 2:
            body = {"side": "sell", "token": WETH, "percent": rng.choice(["50", "60"])}
        else:
            body = {"side": "buy", "token": WETH, "usd_amount": "8"}
            if step % 2:
                body = {"side": "buy", "token": BALD, "usd_amount": "3"}
        response = await order(client, guest, str(uuid.uuid4()), **body)
        assert response.status_code == 201, response.text
        if step % 4 == 3:
            held = {WETH: prices[WETH][0], BALD: prices[BALD][0]}
            assert await hook.snapshot_all(board(held)) >= 1
        await _assert_view_matches_rows(app, client, guest)
    view = (await client.get("/api/portfolio", headers=guest)).json()
    assert Decimal(view["max_drawdown_pct"]) > 0 and Decimal(view["realized_pnl_usd"]) != 0
    user_id = await _user_id(client, guest)
    async with app.state.eaili5.db.transaction() as db:  # lands out of order: the run is folded again
        back = datetime.now(UTC) - timedelta(hours=1)
        run_id = (await _current(db, user_id)).id
        await equity.snapshot(db, run_id, Valuation(Decimal(70), Decimal(0)), "periodic", at=back)
    await _assert_view_matches_rows(app, client, guest)

    async with app.state.eaili5.db.transaction() as db:
        old_run = await _current(db, user_id)
        old_id = old_run.id
        before = (
            old_run.peak_value_usd,
            old_run.fall_peak_usd,
            old_run.fall_low_usd,
            old_run.realized_pnl_usd,
        )
    assert (await client.post("/api/portfolio/reset", headers=guest)).status_code == 200
    fresh = (await client.get("/api/portfolio", headers=guest)).json()
    assert (fresh["run"], fresh["max_drawdown_pct"], fresh["realized_pnl_usd"]) == (2, "0.0000", "0")
    for body in (
        {"side": "buy", "token": WETH, "usd_amount": "30"},
        {"side": "sell", "token": WETH, "percent": "50"},
    ):
        response = await order(client, guest, str(uuid.uuid4()), **body)
        assert response.status_code == 201, response.text
        await _assert_view_matches_rows(app, client, guest)
    async with app.state.eaili5.db.transaction() as db:
        archived = await db.get(Portfolio, old_id, populate_existing=True)
        assert archived is not None
        kept = (
            archived.peak_value_usd,
            archived.fall_peak_usd,
            archived.fall_low_usd,
            archived.realized_pnl_usd,
        )
    assert kept == before  # the new run's trades fold into the new run only


async def test_the_read_does_not_grow_with_the_number_of_trades(
    app: Any, client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    """One statement, which reads no sells and of the snapshots only probes for one newer than the last
    folded in, and fetches the run's row plus one per holding: the same after 1 trade and after 30."""
    user_id = await _user_id(client, guest)

    async def read() -> tuple[list[str], int]:
        with recorded_statements(app) as seen:
            response = await client.get("/api/portfolio", headers=guest)
        assert response.status_code == 200, response.text
        reads = [s.sql for s in seen if "portfolios" in s.sql]  # the session lookup is not the read
        async with app.state.eaili5.db.engine.connect() as conn:
            fetched = len((await conn.execute(repository._STATE, {"user_id": user_id})).all())
        return reads, fetched

    first = await order(client, guest, str(uuid.uuid4()), side="buy", token=WETH, usd_amount="2")
    assert first.status_code == 201, first.text
    reads_after_one, rows_after_one = await read()
    for _ in range(29):
        again = await order(client, guest, str(uuid.uuid4()), side="buy", token=WETH, usd_amount="2")
        assert again.status_code == 201, again.text
    reads_after_many, rows_after_many = await read()
    assert len(reads_after_one) == len(reads_after_many) == 1
    assert reads_after_one == reads_after_many
    read = reads_after_many[0]
    assert "trades" not in read  # no sum over sells
    # Snapshots only in the staleness probe: newer than the last one folded in, none in the usual case.
    assert "equity_snapshots.taken_at > coalesce(portfolios.folded_at" in read
    assert read.count("FROM equity_snapshots") == 1
    assert rows_after_one == rows_after_many == 2  # the run and its one holding


# --- the migration's backfill -------------------------------------------------------------------------
async def _figures_by_run(settings: Settings) -> dict[uuid.UUID, tuple[Any, ...]]:
    """Every run's stored running figures, read with a fresh engine (the schema just changed)."""
    engine = create_engine(settings)
    try:
        async with engine.connect() as conn:
            columns = (
                Portfolio.peak_value_usd,
                Portfolio.fall_peak_usd,
                Portfolio.fall_low_usd,
                Portfolio.realized_pnl_usd,
                Portfolio.folded_at,
            )
            rows = await conn.execute(select(Portfolio.id, *columns))
            return {row[0]: tuple(row[1:]) for row in rows}
    finally:
        await engine.dispose()


async def _recomputed_by_run(settings: Settings) -> dict[uuid.UUID, tuple[Any, ...]]:
    """The same figures, folded here from every snapshot and sell row."""
    engine = create_engine(settings)
    try:
        async with engine.connect() as conn:
            runs = list((await conn.execute(select(Portfolio.id))).scalars())
            snaps = await conn.execute(
                select(
                    EquitySnapshot.portfolio_id, EquitySnapshot.total_value_usd, EquitySnapshot.taken_at
                ).order_by(EquitySnapshot.taken_at, EquitySnapshot.id)
            )
            figures = {run: Running() for run in runs}
            last: dict[uuid.UUID, datetime] = {}
            for run, value, taken_at in snaps:
                figures[run], last[run] = figures[run].after(value), taken_at
            sells = await conn.execute(
                select(Trade.portfolio_id, func.count())
                .where(Trade.realized_pnl_usd.is_not(None))
                .group_by(Trade.portfolio_id)
            )
            sold = dict(sells.all())
            for run in runs:
                if sold.get(run):
                    rows = await conn.execute(
                        select(Trade.realized_pnl_usd).where(
                            Trade.portfolio_id == run, Trade.realized_pnl_usd.is_not(None)
                        )
                    )
                    for value in rows.scalars():
                        figures[run] = figures[run].plus_realized(value)
            return {
                run: (f.peak, f.fall_peak, f.fall_low, f.realized, last.get(run))
                for run, f in figures.items()
            }
    finally:
        await engine.dispose()


async def test_the_migration_backfills_the_figures_from_existing_rows(
    app: Any, client: httpx.AsyncClient, guest: dict[str, str], settings: Settings
) -> None:
    """Trades, periodic snapshots and a reset through the app; then back to the revision before the
    figures, more snapshots written as an old app would (no figures), and up again: the backfill
    equals the fold of every row, for every run (archived ones too)."""
    for body in (
        {"side": "buy", "token": WETH, "usd_amount": "40"},
        {"side": "sell", "token": WETH, "percent": "50"},
    ):
        assert (await order(client, guest, str(uuid.uuid4()), **body)).status_code == 201
    await ticker(app).snapshot_all(board({WETH: "1500"}))
    assert (await client.post("/api/portfolio/reset", headers=guest)).status_code == 200
    assert (
        await order(client, guest, str(uuid.uuid4()), side="buy", token=WETH, usd_amount="20")
    ).status_code == 201
    await set_prices(app, {**DEFAULT_PRICES, WETH: ("2600", "2000000")})
    assert (
        await order(client, guest, str(uuid.uuid4()), side="sell", token=WETH, percent="100")
    ).status_code == 201
    assert await _figures_by_run(settings) == await _recomputed_by_run(settings)  # the app's own fold
    user_id = await _user_id(client, guest)
    async with app.state.eaili5.db.transaction() as db:
        current = (await _current(db, user_id)).id
    await app.state.eaili5.db.engine.dispose()  # no pooled connection across the schema change

    await asyncio.to_thread(migrations.downgrade, settings, BEFORE_RUNNING_FIGURES)
    try:
        engine = create_engine(settings)
        try:
            async with engine.begin() as conn:
                now = datetime.now(UTC)
                for minutes, value in ((1, "150"), (2, "75.5"), (3, "90")):
                    await conn.execute(
                        insert(cast(Table, EquitySnapshot.__table__)),
                        {
                            "id": uuid.uuid4(),
                            "portfolio_id": current,
                            "taken_at": now + timedelta(minutes=minutes),
                            "total_value_usd": Decimal(value),
                            "cash_usd": Decimal(value),
                            "reason": "periodic",
                        },
                    )
        finally:
            await engine.dispose()
    finally:
        await asyncio.to_thread(migrations.upgrade, settings)

    backfilled = await _figures_by_run(settings)
    assert backfilled == await _recomputed_by_run(settings)
    assert len(backfilled) == 2
    assert all(figures[3] is not None and figures[4] is not None for figures in backfilled.values())
    peak, fall_peak, fall_low, realized, _ = backfilled[current]
    assert (peak, fall_peak, fall_low) == (Decimal(150), Decimal(150), Decimal("75.5"))
    assert realized is not None
    view = (await client.get("/api/portfolio", headers=guest)).json()
    assert view["max_drawdown_pct"] == "49.6667"  # 150 -> 75.50, as the full recomputation gives
    assert view["realized_pnl_usd"] == format(realized, "f")


async def test_the_periodic_pass_folds_every_run_across_its_batches(
    app: Any, client: httpx.AsyncClient, guest: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pass commits a batch of runs at a time (a run's row stays locked only until its batch
    commits): with batches of 2, three holders still each get a snapshot folded into their run."""
    from eaili5.portfolio import fills

    monkeypatch.setattr(fills, "SNAPSHOT_BATCH", 2)
    users = [guest]
    for _ in range(2):
        token, _ = await new_guest(client)
        users.append(auth(token))
    for headers in users:
        bought = await order(client, headers, str(uuid.uuid4()), side="buy", token=WETH, usd_amount="30")
        assert bought.status_code == 201, bought.text
    assert await ticker(app).snapshot_all(board({WETH: "1100"})) == 3
    for headers in users:
        chart = (await client.get("/api/portfolio/equity", headers=headers)).json()
        assert [p["kind"] for p in chart["points"]] == ["start", "trade", "periodic", "now"]
        await _assert_view_matches_rows(app, client, headers)
        assert Decimal((await client.get("/api/portfolio", headers=headers)).json()["max_drawdown_pct"]) > 10
