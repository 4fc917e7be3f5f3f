"""Orders and quotes refuse prices that are too old, with an error that says to try again."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import textstat

from eaili5.portfolio.explanations import BUY, COSTS, SELL, high_impact_warning
from tests.conftest import auth, new_guest
from tests.portfolio.conftest import WETH, order, set_prices


async def test_an_old_price_is_refused(client: httpx.AsyncClient, app: Any) -> None:
    await set_prices(app, {WETH: ("2000", "2000000")}, age_seconds=61)
    token, _ = await new_guest(client)
    response = await order(client, auth(token), str(uuid.uuid4()), side="buy", token=WETH, usd_amount="5")
    assert response.status_code == 409 and response.json()["error"] == "StalePrice"
    assert "Try again in a moment" in response.json()["detail"]
    quote = await client.post(
        "/api/portfolio/quote", json={"side": "buy", "token": WETH, "usd_amount": "5"}, headers=auth(token)
    )
    assert quote.status_code == 409
    assert (await client.get("/api/portfolio", headers=auth(token))).json()["cash_usd"] == "100.00000000"


class TestMaxAgeSetting:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"market_tick_seconds": 3600.0, "portfolio_max_price_age_seconds": 0}

    async def test_max_age_zero_refuses_every_price(self, client: httpx.AsyncClient, app: Any) -> None:
        await set_prices(app, {WETH: ("2000", "2000000")})
        token, _ = await new_guest(client)
        response = await order(client, auth(token), "k1", side="buy", token=WETH, usd_amount="5")
        assert response.status_code == 409 and response.json()["error"] == "StalePrice"


def test_cost_explanations_are_written_for_a_ten_year_old() -> None:
    lines = [*BUY.values(), *SELL.values(), *COSTS.values()]
    lines.append(high_impact_warning(__import__("decimal").Decimal("3.5")).explanation)
    for line in lines:
        assert textstat.flesch_kincaid_grade(line) <= 5, line
