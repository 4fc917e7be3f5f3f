"""Practice trades through the real portfolio API become learning hints and a badge (both stacks)."""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.core.events import PracticeTradeFilled
from eaili5.learning.content import Curriculum
from tests.learning.conftest import complete, progress
from tests.portfolio.conftest import BALD, DEFAULT_PRICES, WETH, board, order, set_prices, ticker


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"market_tick_seconds": 3600.0}  # our price board stays put


async def _trade(app: Any, client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await order(client, headers, str(uuid.uuid4()), **body)
    assert response.status_code == 201, response.text
    await app.state.eaili5.events.drain()  # the subscribers run in the background
    return dict(response.json()["trade"])


async def _hints(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get("/api/learn/recommendations", headers=headers)
    assert response.status_code == 200, response.text
    return [item for item in response.json()["items"] if item["kind"] == "hint"]


async def test_a_big_impact_buy_of_a_risky_token_brings_two_hints_and_a_badge(
    app: Any, client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    await set_prices(app, DEFAULT_PRICES)
    trade = await _trade(app, client, learner, side="buy", token=BALD, usd_amount="100")
    assert Decimal(trade["price_impact_pct"]) > 1
    hints = await _hints(client, learner)
    by_lesson = {hint["lesson"]["id"]: hint for hint in hints}
    assert set(by_lesson) == {"dex-liquidity-and-price-impact", "scams-one"}
    impact_hint = by_lesson["dex-liquidity-and-price-impact"]
    assert "BALD" in impact_hint["reason"] and "%" in impact_hint["reason"] and impact_hint["created_at"]
    assert by_lesson["scams-one"]["path"]["id"] == "scams-self-defence"
    badges = {badge["id"]: badge["earned"] for badge in (await progress(client, learner))["badges"]}
    assert badges["first-practice-trade"] is True

    # Done with the lesson: its hint goes away; the scams path hint stays until the path is done.
    await complete(client, learner, "dex-liquidity-and-price-impact")
    assert [hint["lesson"]["id"] for hint in await _hints(client, learner)] == ["scams-one"]


async def test_a_small_trade_of_a_calm_token_only_earns_the_badge(
    app: Any, client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    await set_prices(app, DEFAULT_PRICES)
    before = {badge["id"]: badge["earned"] for badge in (await progress(client, learner))["badges"]}
    assert before["first-practice-trade"] is False
    await _trade(app, client, learner, side="buy", token=WETH, usd_amount="10")
    assert await _hints(client, learner) == []
    after = {badge["id"]: badge["earned"] for badge in (await progress(client, learner))["badges"]}
    assert after["first-practice-trade"] is True


async def test_a_triggered_waiting_order_is_a_practice_trade_too(
    app: Any, client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    await set_prices(app, DEFAULT_PRICES)
    placed = await order(
        client,
        learner,
        str(uuid.uuid4()),
        type="limit",
        side="buy",
        token=WETH,
        usd_amount="10",
        trigger_price="1",
    )
    assert placed.status_code == 201, placed.text
    await app.state.eaili5.events.drain()
    before = {badge["id"]: badge["earned"] for badge in (await progress(client, learner))["badges"]}
    assert before["first-practice-trade"] is False  # placing is not trading

    await ticker(app).on_tick(board({WETH: "1"}))
    await app.state.eaili5.events.drain()
    after = {badge["id"]: badge["earned"] for badge in (await progress(client, learner))["badges"]}
    assert after["first-practice-trade"] is True


async def test_a_big_sell_hints_at_liquidity_but_not_at_scams(
    app: Any, client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    await set_prices(app, {**DEFAULT_PRICES, BALD: ("0.0005", "2000000")})  # deep pool: a calm buy
    await _trade(app, client, learner, side="buy", token=BALD, usd_amount="90")
    await set_prices(app, DEFAULT_PRICES)  # the pool dried up: selling now moves the price
    sell = await _trade(app, client, learner, side="sell", token=BALD, percent="100")
    assert Decimal(sell["price_impact_pct"]) > 1
    assert [hint["lesson"]["id"] for hint in await _hints(client, learner)] == [
        "dex-liquidity-and-price-impact"
    ]


async def test_a_failing_subscriber_is_logged_and_never_raised(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    events = app.state.eaili5.events
    seen: list[object] = []

    async def broken(db: AsyncSession, event: PracticeTradeFilled) -> None:
        seen.append(event)
        raise RuntimeError("boom")

    events.subscribe(PracticeTradeFilled, broken)
    event = PracticeTradeFilled(uuid.uuid4(), WETH, "WETH", "buy", Decimal("0.1"))
    with caplog.at_level(logging.ERROR):
        await events.publish(event)
        await events.drain()
    assert seen == [event]
    assert any(record.getMessage() == "event subscriber failed" for record in caplog.records)
