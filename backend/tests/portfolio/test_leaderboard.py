"""The leaderboard: current runs only, ranked by return %, a risk-adjusted score, a minimum number of
trades, nicknames instead of ids, and the caller's own rank."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from eaili5.auth.display_names import guest_nickname
from eaili5.portfolio import equity, repository
from eaili5.portfolio.equity import Valuation
from tests.conftest import auth, new_guest
from tests.portfolio.conftest import DEFAULT_PRICES, MOG, WETH, order, set_prices


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"market_tick_seconds": 3600.0, "leaderboard_min_trades": 2, "leaderboard_cache_seconds": 0}


async def trader(client: httpx.AsyncClient, token: str, trades: int) -> tuple[dict[str, str], str]:
    headers = auth((await new_guest(client))[0])
    for _ in range(trades):
        response = await order(client, headers, str(uuid.uuid4()), side="buy", token=token, usd_amount="20")
        assert response.status_code == 201, response.text
    return headers, (await client.get("/api/me", headers=headers)).json()["id"]


async def leaderboard(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = await client.get("/api/leaderboard", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_ranking_names_and_your_rank(client: httpx.AsyncClient, app: Any) -> None:
    await set_prices(app, DEFAULT_PRICES)
    winner, winner_id = await trader(client, WETH, 2)
    loser, loser_id = await trader(client, MOG, 2)
    newbie, _ = await trader(client, WETH, 1)
    weth, mog = DEFAULT_PRICES[WETH], DEFAULT_PRICES[MOG]
    await set_prices(app, {WETH: ("2200", weth[1]), MOG: ("0.00000027", mog[1])})

    body = await leaderboard(client, winner, period="all")
    assert body["min_trades"] == 2 and body["ranked"] == 2
    first, second = body["entries"]
    assert (first["rank"], second["rank"]) == (1, 2)
    assert first["display_name"] == guest_nickname(uuid.UUID(winner_id))
    assert second["display_name"] == guest_nickname(uuid.UUID(loser_id))
    assert Decimal(first["return_pct"]) > 0 > Decimal(second["return_pct"])
    assert first["is_you"] and not second["is_you"] and first["trades"] == 2
    assert Decimal(first["max_drawdown_pct"]) >= 0 and Decimal(second["max_drawdown_pct"]) > 0
    view = (await client.get("/api/portfolio", headers=winner)).json()
    assert first["return_pct"] == view["total_return_pct"]
    assert body["you"] == {"qualified": True, "trades": 2, "trades_needed": 0, "entry": first}
    text = str(body)
    assert winner_id not in text and loser_id not in text

    mine = (await leaderboard(client, newbie, period="all"))["you"]
    assert mine == {"qualified": False, "trades": 1, "trades_needed": 1, "entry": None}
    assert [e["is_you"] for e in (await leaderboard(client, loser, period="all"))["entries"]] == [False, True]
    assert len((await leaderboard(client, loser, period="all", limit="1"))["entries"]) == 1


async def test_archived_runs_do_not_count(client: httpx.AsyncClient, app: Any) -> None:
    await set_prices(app, DEFAULT_PRICES)
    headers, _ = await trader(client, WETH, 2)
    assert (await leaderboard(client, headers, period="week"))["ranked"] == 1
    assert (await client.post("/api/portfolio/reset", headers=headers)).status_code == 200
    for period in ("week", "all"):
        body = await leaderboard(client, headers, period=period)
        assert body["ranked"] == 0 and body["entries"] == [] and body["you"]["trades"] == 0


async def test_week_return_starts_from_the_value_a_week_ago(client: httpx.AsyncClient, app: Any) -> None:
    await set_prices(app, DEFAULT_PRICES)
    headers, user_id = await trader(client, WETH, 2)
    async with app.state.eaili5.db.transaction() as db:
        portfolio = await repository.current_portfolio(db, uuid.UUID(user_id))
        assert portfolio is not None
        eight_days_ago = datetime.now(UTC) - timedelta(days=8)
        await equity.snapshot(
            db, portfolio.id, Valuation(Decimal(80), Decimal(0)), "periodic", at=eight_days_ago
        )
    view = (await client.get("/api/portfolio", headers=headers)).json()
    total = Decimal(view["total_value_usd"])
    week = (await leaderboard(client, headers, period="week"))["entries"][0]
    assert Decimal(week["return_pct"]) == ((total - 80) / 80 * 100).quantize(Decimal("0.0001"))
    everything = (await leaderboard(client, headers, period="all"))["entries"][0]
    assert everything["return_pct"] == view["total_return_pct"]


async def test_sort_by_risk_adjusted_score(client: httpx.AsyncClient, app: Any) -> None:
    await set_prices(app, DEFAULT_PRICES)
    headers, _ = await trader(client, WETH, 2)
    await trader(client, MOG, 3)
    body = await leaderboard(client, headers, period="all", sort="score")
    scores = [Decimal(e["risk_adjusted_score"]) for e in body["entries"]]
    assert body["sort"] == "score" and scores == sorted(scores, reverse=True)
    for params in ({"period": "month"}, {"sort": "luck"}, {"limit": "0"}):
        assert (await client.get("/api/leaderboard", params=params, headers=headers)).status_code == 422
    assert (await client.get("/api/leaderboard")).status_code == 401
