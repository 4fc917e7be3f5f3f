"""Limit, stop-loss and take-profit orders on both storage stacks: placing, triggering on a crossing
tick (and not before), failing without cash, cancelling (also racing a fill), expiry and reset.

Ticks are driven by calling the polling instance's tick hook with chosen prices: no sleeps.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from eaili5.models import Order
from eaili5.portfolio.orders import crosses
from eaili5.portfolio.pricing import Costs, PoolState, quote_buy, quote_sell
from tests.conftest import auth, new_guest
from tests.portfolio.conftest import USDC, WETH, assert_ledger_reconciles, board, order, ticker
from tests.summary import report

COSTS = Costs(Decimal("0.01"), 50, Decimal("1.00"))


def key() -> str:
    return str(uuid.uuid4())


async def place(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await order(client, headers, key(), **body)
    assert response.status_code == 201, response.text
    assert response.json()["trade"] is None and response.json()["replayed"] is False
    placed: dict[str, Any] = response.json()["order"]
    return placed


async def orders(client: httpx.AsyncClient, headers: dict[str, str], status: str | None = None) -> list[Any]:
    params = {"status": status} if status else {}
    response = await client.get("/api/portfolio/orders", params=params, headers=headers)
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


async def test_buy_limit_fills_on_the_crossing_tick_and_not_before(
    client: httpx.AsyncClient, app: Any, guest: dict[str, str]
) -> None:
    placed = await place(
        client, guest, type="limit", side="buy", token=WETH, usd_amount="10", trigger_price="1900"
    )
    assert placed["status"] == "open" and placed["type"] == "limit"
    assert placed["description"] == "Buy $10.00 of WETH when the price is $1,900.00 or lower."
    assert [o["id"] for o in await orders(client, guest, "open")] == [placed["id"]]

    hook = ticker(app)
    await hook.on_tick(board({WETH: "1900.01"}))
    assert (await orders(client, guest, "open"))[0]["id"] == placed["id"]
    assert (await client.get("/api/portfolio", headers=guest)).json()["cash_usd"] == "100.00000000"

    await hook.on_tick(board({WETH: "1900"}))
    (filled,) = await orders(client, guest, "filled")
    assert await orders(client, guest, "open") == []
    trade = filled["trade"]
    expected = quote_buy(Decimal("10"), PoolState(Decimal("1900"), Decimal("2000000"), 30, 18), COSTS)
    assert Decimal(trade["price_usd"]) == Decimal("1900") and Decimal(trade["usd_amount"]) == Decimal("10")
    assert Decimal(trade["token_amount"]) == expected.token_amount
    assert (
        Decimal(trade["gas_usd"]) == Decimal("0.01")
        and Decimal(trade["pool_fee_usd"]) == expected.pool_fee_usd
    )
    view = await assert_ledger_reconciles(client, guest)
    assert Decimal(view["cash_usd"]) == Decimal("90")
    history = (await client.get("/api/portfolio/trades", headers=guest)).json()["items"]
    assert [t["id"] for t in history] == [trade["id"]]
    # A later tick never fills it again.
    await hook.on_tick(board({WETH: "1800"}))
    assert len((await client.get("/api/portfolio/trades", headers=guest)).json()["items"]) == 1


async def test_stop_loss_and_take_profit_sell_at_their_triggers(
    client: httpx.AsyncClient, app: Any, guest: dict[str, str]
) -> None:
    assert (await order(client, guest, key(), side="buy", token=WETH, usd_amount="50")).status_code == 201
    held = Decimal((await client.get("/api/portfolio", headers=guest)).json()["holdings"][0]["amount"])
    take = await place(
        client, guest, type="take_profit", side="sell", token=WETH, percent="50", trigger_price="2200"
    )
    stop = await place(
        client, guest, type="stop_loss", side="sell", token=WETH, percent="100", trigger_price="1800"
    )
    assert (
        take["description"]
        == "Take profit: sell 50% of your WETH when the price rises to $2,200.00 or higher."
    )
    assert (
        stop["description"] == "Stop-loss: sell 100% of your WETH if the price falls to $1,800.00 or lower."
    )
    hook = ticker(app)
    for price in ("1800.01", "2199.99", "2000"):
        await hook.on_tick(board({WETH: price}))
    assert len(await orders(client, guest, "open")) == 2

    await hook.on_tick(board({WETH: "2200"}))
    (filled,) = await orders(client, guest, "filled")
    assert filled["id"] == take["id"]
    sold = (held / 2).quantize(Decimal("1E-18"), rounding="ROUND_DOWN")
    pool = PoolState(Decimal("2200"), Decimal("2000000"), 30, 18)
    assert Decimal(filled["trade"]["token_amount"]) == sold
    assert Decimal(filled["trade"]["usd_amount"]) == quote_sell(sold, pool, COSTS).usd_amount

    await hook.on_tick(board({WETH: "1750"}))
    assert {o["id"] for o in await orders(client, guest, "filled")} == {take["id"], stop["id"]}
    view = await assert_ledger_reconciles(client, guest)
    assert view["holdings"] == []


async def test_a_triggered_buy_without_the_cash_fails_with_a_reason(
    client: httpx.AsyncClient, app: Any, guest: dict[str, str]
) -> None:
    placed = await place(
        client, guest, type="limit", side="buy", token=WETH, usd_amount="60", trigger_price="1900"
    )
    assert (await order(client, guest, key(), side="buy", token=WETH, usd_amount="50")).status_code == 201
    await ticker(app).on_tick(board({WETH: "1850"}))
    (failed,) = await orders(client, guest, "failed")
    assert failed["id"] == placed["id"] and failed["trade"] is None
    assert "$50.00 in cash" in failed["failure_reason"]
    view = await assert_ledger_reconciles(client, guest)
    assert Decimal(view["cash_usd"]) == Decimal("50")


@pytest.mark.parametrize(
    ("body", "status", "kind"),
    [
        ({"side": "buy", "usd_amount": "5", "type": "limit"}, 422, "ValidationError"),
        (
            {"side": "buy", "usd_amount": "5", "type": "stop_loss", "trigger_price": "1"},
            422,
            "ValidationError",
        ),
        ({"side": "buy", "usd_amount": "5", "trigger_price": "1"}, 422, "ValidationError"),
        ({"side": "buy", "usd_amount": "5", "type": "limit", "trigger_price": "0"}, 422, "ValidationError"),
        (
            {
                "side": "buy",
                "usd_amount": "5",
                "type": "limit",
                "trigger_price": "1900",
                "min_amount_out": "1",
            },
            422,
            "ValidationError",
        ),
        (
            {"side": "buy", "usd_amount": "5", "type": "limit", "trigger_price": "1", "expires_in_hours": 0},
            422,
            "ValidationError",
        ),
        (
            {"side": "buy", "usd_amount": "0.5", "type": "limit", "trigger_price": "1900"},
            422,
            "TradeTooSmall",
        ),
        (
            {"side": "buy", "usd_amount": "100.01", "type": "limit", "trigger_price": "1900"},
            409,
            "InsufficientCash",
        ),
        (
            {"side": "sell", "percent": "50", "type": "limit", "trigger_price": "2100"},
            409,
            "InsufficientTokens",
        ),
        (
            {"side": "sell", "token_amount": "1", "type": "stop_loss", "trigger_price": "1500"},
            409,
            "InsufficientTokens",
        ),
    ],
)
async def test_bad_waiting_orders_get_a_clear_4xx(
    client: httpx.AsyncClient, guest: dict[str, str], body: dict[str, Any], status: int, kind: str
) -> None:
    response = await order(client, guest, key(), token=WETH, **body)
    assert response.status_code == status, response.text
    assert response.json()["error"] == kind and response.json()["detail"]
    assert await orders(client, guest) == []


async def test_stop_loss_and_take_profit_must_not_fire_at_once(
    client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    await order(client, guest, key(), side="buy", token=WETH, usd_amount="20")
    for kind, trigger, words in (
        ("stop_loss", "2000", "lower price"),
        ("take_profit", "1999", "higher price"),
    ):
        response = await order(
            client, guest, key(), type=kind, side="sell", token=WETH, percent="100", trigger_price=trigger
        )
        assert response.status_code == 422 and response.json()["error"] == "InvalidTrigger"
        assert words in response.json()["detail"] and "$2,000.00" in response.json()["detail"]


async def test_placing_is_idempotent(client: httpx.AsyncClient, guest: dict[str, str]) -> None:
    body = {"type": "limit", "side": "buy", "token": WETH, "usd_amount": "10", "trigger_price": "1500"}
    first = await order(client, guest, "limit-1", **body)
    again = await order(client, guest, "limit-1", **body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "replayed": True}
    changed = await order(client, guest, "limit-1", **{**body, "trigger_price": "1400"})
    assert changed.status_code == 409 and changed.json()["error"] == "IdempotencyKeyReused"
    market = await order(client, guest, "limit-1", side="buy", token=WETH, usd_amount="10")
    assert market.status_code == 409 and market.json()["error"] == "IdempotencyKeyReused"
    await order(client, guest, "market-1", side="buy", token=WETH, usd_amount="10")
    reused = await order(client, guest, "market-1", **body)
    assert reused.status_code == 409 and reused.json()["error"] == "IdempotencyKeyReused"
    concurrent = await asyncio.gather(*(order(client, guest, "limit-2", **body) for _ in range(5)))
    assert sorted(r.status_code for r in concurrent) == [200, 200, 200, 200, 201]
    assert len(await orders(client, guest, "open")) == 2
    reserved = await order(client, guest, "fill:123", **body)
    assert reserved.status_code == 400 and reserved.json()["error"] == "IdempotencyKeyRequired"


async def test_cancel(client: httpx.AsyncClient, app: Any, guest: dict[str, str]) -> None:
    placed = await place(
        client, guest, type="limit", side="buy", token=USDC, usd_amount="5", trigger_price="0.99"
    )
    other, _ = await new_guest(client)
    assert (
        await client.delete(f"/api/portfolio/orders/{placed['id']}", headers=auth(other))
    ).status_code == 404
    missing = await client.delete(f"/api/portfolio/orders/{uuid.uuid4()}", headers=guest)
    assert missing.status_code == 404 and missing.json()["error"] == "OrderNotFound"
    assert (await client.delete("/api/portfolio/orders/not-a-uuid", headers=guest)).status_code == 422
    cancelled = await client.delete(f"/api/portfolio/orders/{placed['id']}", headers=guest)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = await client.delete(f"/api/portfolio/orders/{placed['id']}", headers=guest)
    assert again.status_code == 409 and again.json()["error"] == "OrderNotOpen"
    assert "cancelled" in again.json()["detail"]
    await ticker(app).on_tick(board({USDC: "0.98"}))
    assert [o["status"] for o in await orders(client, guest)] == ["cancelled"]
    assert (await client.get("/api/portfolio", headers=guest)).json()["cash_usd"] == "100.00000000"


async def test_cancel_racing_a_fill_never_both(
    client: httpx.AsyncClient, app: Any, guest: dict[str, str], stack: str
) -> None:
    hook, tick = ticker(app), board({WETH: "1500"})[WETH.lower()]
    filled = 0
    for attempt in range(6):
        placed = await place(
            client, guest, type="limit", side="buy", token=WETH, usd_amount="10", trigger_price="1600"
        )
        cancelling = client.delete(f"/api/portfolio/orders/{placed['id']}", headers=guest)
        filling = hook.fill_one(uuid.UUID(placed["id"]), tick)
        if attempt % 2:  # start either one first: both outcomes must hold up
            fill, cancel = await asyncio.gather(filling, cancelling)
        else:
            cancel, fill = await asyncio.gather(cancelling, filling)
        if cancel.status_code == 200:
            assert fill is None
        else:
            assert cancel.status_code == 409 and fill is not None and fill.status == "filled"
            filled += 1
        (final,) = [o for o in await orders(client, guest) if o["id"] == placed["id"]]
        assert final["status"] == ("cancelled" if cancel.status_code == 200 else "filled")
    report("portfolio", f"cancel racing a fill ({stack}): {filled} of 6 filled, the rest cancelled")
    view = await assert_ledger_reconciles(client, guest)
    assert Decimal(view["cash_usd"]) == Decimal(100 - 10 * filled)
    assert len((await client.get("/api/portfolio/trades", headers=guest)).json()["items"]) == filled


async def test_expired_orders_never_fill(client: httpx.AsyncClient, app: Any, guest: dict[str, str]) -> None:
    placed = await place(
        client,
        guest,
        type="limit",
        side="buy",
        token=WETH,
        usd_amount="10",
        trigger_price="1900",
        expires_in_hours=2,
    )
    expires = datetime.fromisoformat(placed["expires_at"])
    assert timedelta(hours=1, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=2)
    async with app.state.eaili5.db.transaction() as db:  # two hours pass
        await db.execute(
            update(Order).where(Order.id == uuid.UUID(placed["id"])).values(expires_at=datetime.now(UTC))
        )
    await ticker(app).on_tick(board({WETH: "1000"}))
    (expired,) = await orders(client, guest, "expired")
    assert expired["id"] == placed["id"] and expired["closed_at"] and expired["trade"] is None
    assert (await client.get("/api/portfolio", headers=guest)).json()["cash_usd"] == "100.00000000"


async def test_reset_cancels_waiting_orders(
    client: httpx.AsyncClient, app: Any, guest: dict[str, str]
) -> None:
    await place(client, guest, type="limit", side="buy", token=WETH, usd_amount="10", trigger_price="1900")
    assert (await client.post("/api/portfolio/reset", headers=guest)).status_code == 200
    assert await orders(client, guest) == []  # the new run has none
    await ticker(app).on_tick(board({WETH: "1000"}))
    assert (await client.get("/api/portfolio", headers=guest)).json()["cash_usd"] == "100.00000000"


async def test_orders_are_private(client: httpx.AsyncClient, guest: dict[str, str]) -> None:
    await place(client, guest, type="limit", side="buy", token=WETH, usd_amount="10", trigger_price="1900")
    other, _ = await new_guest(client)
    assert await orders(client, auth(other)) == []
    bad = await client.get("/api/portfolio/orders", params={"status": "pending"}, headers=guest)
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("type_", "side", "trigger", "price", "fills"),
    [
        ("limit", "buy", "10", "10", True),
        ("limit", "buy", "10", "10.0001", False),
        ("limit", "sell", "10", "10", True),
        ("limit", "sell", "10", "9.99", False),
        ("take_profit", "sell", "10", "11", True),
        ("take_profit", "sell", "10", "9", False),
        ("stop_loss", "sell", "10", "9", True),
        ("stop_loss", "sell", "10", "10.01", False),
    ],
)
def test_which_prices_trigger(type_: str, side: str, trigger: str, price: str, fills: bool) -> None:
    placed = Order(type=type_, side=side, trigger_price=Decimal(trigger))
    assert crosses(placed, Decimal(price)) is fills
