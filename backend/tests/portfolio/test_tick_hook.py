"""The poller runs the portfolio tick hook after each round, and the app wires it up."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest

from eaili5.market.poller import MarketPoller
from eaili5.market.schemas import PriceTick
from tests.conftest import auth, new_guest
from tests.portfolio.conftest import WETH, order


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"market_tick_seconds": 0.2}


async def test_the_poller_calls_the_hook_with_its_board_and_survives_a_failing_one(app: Any) -> None:
    state = app.state.eaili5
    seen: list[dict[str, PriceTick]] = []

    async def hook(board: dict[str, PriceTick]) -> None:
        seen.append(board)
        raise RuntimeError("a broken consumer")

    poller = MarketPoller(state.market, state.hub, state.kv, 3600.0, "test", on_tick=hook)
    await poller.poll_once()  # the hook runs as its own task: prices never wait for it
    assert poller.hook_task is not None
    await poller.hook_task  # its failure was logged, not raised
    assert len(seen) == 1 and WETH.lower() in seen[0]


async def test_the_running_app_fills_a_crossed_limit_order_on_its_own(client: httpx.AsyncClient) -> None:
    token, _ = await new_guest(client)
    headers = auth(token)
    price = Decimal((await client.get(f"/api/tokens/{WETH}")).json()["price_usd"])
    placed = await order(
        client,
        headers,
        str(uuid.uuid4()),
        type="limit",
        side="buy",
        token=WETH,
        usd_amount="10",
        trigger_price=str((price * 10).quantize(Decimal("0.01"))),
    )
    assert placed.status_code == 201, placed.text
    for _ in range(100):  # the simulated market ticks every 0.2 s here
        rows = (await client.get("/api/portfolio/orders", headers=headers)).json()["items"]
        if rows[0]["status"] != "open":
            break
        await asyncio.sleep(0.1)
    assert rows[0]["status"] == "filled", rows
    assert Decimal((await client.get("/api/portfolio", headers=headers)).json()["cash_usd"]) == 90
