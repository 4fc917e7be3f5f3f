"""Equity snapshots (at each trade and periodic), the equity series, and max drawdown."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from eaili5.portfolio import equity, repository
from eaili5.portfolio.equity import Valuation, max_drawdown_pct
from eaili5.portfolio.fills import SNAPSHOT_DUE_KEY
from eaili5.portfolio.leaderboard import risk_adjusted
from tests.conftest import auth, new_guest
from tests.portfolio.conftest import DEFAULT_PRICES, WETH, board, order, set_prices, ticker


async def series(client: httpx.AsyncClient, headers: dict[str, str], range_: str = "7d") -> dict[str, Any]:
    response = await client.get("/api/portfolio/equity", params={"range": range_}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_new_run_is_flat_at_100(client: httpx.AsyncClient, guest: dict[str, str]) -> None:
    body = await series(client, guest)
    assert [p["kind"] for p in body["points"]] == ["start", "now"]
    assert {Decimal(p["total_value_usd"]) for p in body["points"]} == {Decimal(100)}
    assert Decimal(body["max_drawdown_pct"]) == 0 and body["run"] == 1
    assert Decimal((await client.get("/api/portfolio", headers=guest)).json()["max_drawdown_pct"]) == 0


async def test_each_trade_is_snapshotted_and_a_fall_is_a_drawdown(
    client: httpx.AsyncClient, app: Any, guest: dict[str, str]
) -> None:
    await order(client, guest, str(uuid.uuid4()), side="buy", token=WETH, usd_amount="50")
    after_buy = await series(client, guest)
    kinds = [p["kind"] for p in after_buy["points"]]
    assert kinds == ["start", "trade", "now"]
    trade_point = after_buy["points"][1]
    view = (await client.get("/api/portfolio", headers=guest)).json()
    # The snapshot values the tokens at the market price, like the portfolio view does.
    assert (
        trade_point["total_value_usd"] == view["total_value_usd"] and Decimal(trade_point["cash_usd"]) == 50
    )

    await set_prices(app, {**DEFAULT_PRICES, WETH: ("1000", "2000000")})  # WETH halves
    view = (await client.get("/api/portfolio", headers=guest)).json()
    total = Decimal(view["total_value_usd"])
    expected = ((100 - total) / 100 * 100).quantize(Decimal("0.0001"))
    assert Decimal(view["max_drawdown_pct"]) == expected > 24
    assert Decimal((await series(client, guest))["max_drawdown_pct"]) == expected
    assert view["total_return_pct"] == format(((total - 100) / 100 * 100).quantize(Decimal("0.0001")), "f")


async def test_periodic_snapshots_only_for_runs_holding_tokens_and_once_per_interval(
    client: httpx.AsyncClient, app: Any, guest: dict[str, str]
) -> None:
    await order(client, guest, str(uuid.uuid4()), side="buy", token=WETH, usd_amount="20")
    idle, _ = await new_guest(client)
    await client.get("/api/portfolio", headers=auth(idle))  # a run with cash only
    hook = ticker(app)
    prices = board({WETH: "2100"})
    kv = app.state.eaili5.kv
    for _ in range(500):  # the poller's start-up round takes one (in its own task): wait for it
        if await kv.get(SNAPSHOT_DUE_KEY) is not None:
            break
        await asyncio.sleep(0.01)
    await kv.delete(SNAPSHOT_DUE_KEY)  # an hour passes
    assert await hook.snapshot_if_due(prices) == 1
    assert await hook.snapshot_if_due(prices) == 0  # within the interval: nothing, on any instance
    body = await series(client, guest)
    assert [p["kind"] for p in body["points"]] == ["start", "trade", "periodic", "now"]
    view = (await client.get("/api/portfolio", headers=guest)).json()
    held = Decimal(view["holdings"][0]["amount"])
    expected = Decimal(view["cash_usd"]) + (held * 2100).quantize(Decimal("0.00000001"))
    assert Decimal(body["points"][2]["total_value_usd"]) == expected
    assert [p["kind"] for p in (await series(client, auth(idle)))["points"]] == ["start", "now"]


async def test_ranges(client: httpx.AsyncClient, app: Any, guest: dict[str, str]) -> None:
    await order(client, guest, str(uuid.uuid4()), side="buy", token=WETH, usd_amount="20")
    async with app.state.eaili5.db.transaction() as db:
        user_id = uuid.UUID((await client.get("/api/me", headers=guest)).json()["id"])
        portfolio = await repository.current_portfolio(db, user_id)
        assert portfolio is not None
        three_days_ago = datetime.now(UTC) - timedelta(days=3)
        await equity.snapshot(
            db, portfolio.id, Valuation(Decimal(80), Decimal(30)), "periodic", at=three_days_ago
        )
    day = await series(client, guest, "1d")
    week = await series(client, guest, "7d")
    everything = await series(client, guest, "all")
    # The run started just now, so every range starts with it; only 7d and all reach 3 days back.
    assert [p["kind"] for p in day["points"]] == ["start", "trade", "now"]
    assert [p["kind"] for p in week["points"]] == ["start", "periodic", "trade", "now"]
    assert everything["points"] == [*week["points"][:-1], everything["points"][-1]]
    bad = await client.get("/api/portfolio/equity", params={"range": "2y"}, headers=guest)
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["100"], "0"),
        (["100", "110", "120"], "0"),
        (["100", "80", "120", "90"], "25"),  # 120 -> 90 is the deeper fall
        (["100", "50", "100", "75"], "50"),
        (["100", "99.99999999"], "0.0000"),
        (["0", "0"], "0"),
    ],
)
def test_max_drawdown(values: list[str], expected: str) -> None:
    assert max_drawdown_pct(Decimal(v) for v in values) == Decimal(expected)


@pytest.mark.parametrize(
    ("return_pct", "drawdown", "score"),
    [("20", "10", "2"), ("20", "0", "20"), ("20", "0.5", "20"), ("-20", "40", "-20"), ("0", "5", "0")],
)
def test_risk_adjusted_score(return_pct: str, drawdown: str, score: str) -> None:
    assert risk_adjusted(Decimal(return_pct), Decimal(drawdown)) == Decimal(score)
