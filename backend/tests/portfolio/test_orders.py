"""Market orders through the HTTP API on both storage stacks: exact fills, P&L, validation, reset."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest

from eaili5.portfolio.pricing import Costs, PoolState, basis_removed, quote_buy, quote_sell
from tests.portfolio.conftest import (
    BALD,
    MOG,
    USDC,
    WETH,
    assert_ledger_reconciles,
    order,
)

COSTS = Costs(Decimal("0.01"), 50, Decimal("1.00"))
WETH_POOL = PoolState(Decimal("2000"), Decimal("2000000"), 30, 18)
USDC_POOL = PoolState(Decimal("1.0001"), Decimal("28000000"), 30, 6)


def key() -> str:
    return str(uuid.uuid4())


async def test_first_use_creates_a_100_dollar_portfolio(
    client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    view = (await client.get("/api/portfolio", headers=guest)).json()
    assert view["cash_usd"] == "100.00000000" and view["run"] == 1 and view["holdings"] == []
    assert view["total_value_usd"] == "100.00000000" and view["total_return_pct"] == "0.0000"


async def test_quote_breaks_down_every_cost(client: httpx.AsyncClient, guest: dict[str, str]) -> None:
    response = await client.post(
        "/api/portfolio/quote", json={"side": "buy", "token": WETH, "usd_amount": "10"}, headers=guest
    )
    assert response.status_code == 200, response.text
    quote = response.json()
    expected = quote_buy(Decimal("10"), WETH_POOL, COSTS)
    assert quote["you_pay"] == {"amount": "10", "unit": "USD"}
    assert Decimal(quote["you_get"]["amount"]) == expected.token_amount and quote["you_get"]["unit"] == "WETH"
    assert Decimal(quote["minimum_received"]["amount"]) == expected.minimum_received
    assert Decimal(quote["pool_fee_usd"]) == expected.pool_fee_usd == Decimal("0.02997")
    assert Decimal(quote["gas_usd"]) == Decimal("0.01") and quote["pool_fee_bps"] == 30
    assert Decimal(quote["price_impact_pct"]) == expected.price_impact_pct
    assert set(quote["explanations"]) == {
        "you_pay",
        "you_get",
        "pool_fee",
        "price_impact",
        "gas",
        "minimum_received",
    }
    assert quote["warnings"] == [] and quote["price_source"] == "simulated" and quote["as_of"]


async def test_quote_warns_on_big_impact_and_risky_tokens(
    client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    quote = (
        await client.post(
            "/api/portfolio/quote", json={"side": "buy", "token": BALD, "usd_amount": "100"}, headers=guest
        )
    ).json()
    codes = [warning["code"] for warning in quote["warnings"]]
    assert codes[0] == "high_price_impact" and "low_liquidity" in codes
    assert Decimal(quote["price_impact_pct"]) > 1


async def test_buy_repeat_buy_partial_sell_and_average_cost(
    client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    first = await order(client, guest, key(), side="buy", token=WETH, usd_amount="30")
    assert first.status_code == 201, first.text
    bought_1 = quote_buy(Decimal("30"), WETH_POOL, COSTS).token_amount
    trade = first.json()["trade"]
    assert Decimal(trade["token_amount"]) == bought_1 and trade["amount_in"] == {
        "amount": "30.00000000",
        "unit": "USD",
    }
    assert trade["price_source"] == "simulated" and trade["realized_pnl_usd"] is None

    await order(client, guest, key(), side="buy", token=WETH, usd_amount="20.55")
    bought_2 = quote_buy(Decimal("20.55"), WETH_POOL, COSTS).token_amount
    view = await assert_ledger_reconciles(client, guest)
    (holding,) = view["holdings"]
    held = bought_1 + bought_2
    assert Decimal(holding["amount"]) == held and Decimal(holding["cost_basis_usd"]) == Decimal("50.55")
    assert Decimal(view["cash_usd"]) == Decimal("49.45")
    assert Decimal(holding["average_cost_usd"]) == (Decimal("50.55") / held).quantize(Decimal("1E-18"))

    sell = await order(client, guest, key(), side="sell", token=WETH, percent="50")
    assert sell.status_code == 201, sell.text
    sold = (held / 2).quantize(Decimal("1E-18"), rounding="ROUND_DOWN")
    fill = quote_sell(sold, WETH_POOL, COSTS)
    removed = basis_removed(held, Decimal("50.55"), sold)
    trade = sell.json()["trade"]
    assert Decimal(trade["token_amount"]) == sold and Decimal(trade["usd_amount"]) == fill.usd_amount
    assert (
        Decimal(trade["realized_pnl_usd"]) == fill.usd_amount - removed < 0
    )  # costs make a flat round trip lose
    view = await assert_ledger_reconciles(client, guest)
    assert Decimal(view["holdings"][0]["amount"]) == held - sold
    assert Decimal(view["cash_usd"]) == Decimal("49.45") + fill.usd_amount

    everything = await order(client, guest, key(), side="sell", token=WETH, percent="100")
    assert everything.status_code == 201, everything.text
    view = await assert_ledger_reconciles(client, guest)
    assert view["holdings"] == [] and Decimal(view["cost_basis_usd"]) == 0


async def test_six_decimal_token_and_huge_memecoin_amounts_are_exact(
    client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    await order(client, guest, key(), side="buy", token=USDC, usd_amount="12.34")
    await order(client, guest, key(), side="buy", token=MOG, usd_amount="80")
    view = await assert_ledger_reconciles(client, guest)
    amounts = {row["symbol"]: row["amount"] for row in view["holdings"]}
    assert Decimal(amounts["USDC"]) == quote_buy(Decimal("12.34"), USDC_POOL, COSTS).token_amount
    mog = quote_buy(Decimal("80"), PoolState(Decimal("0.00000030"), Decimal("600000"), 100, 18), COSTS)
    assert amounts["Mog"] == format(mog.token_amount, "f")  # every one of 27 digits survived storage
    sell = await order(client, guest, key(), side="sell", token=USDC, token_amount="1.000001")
    assert sell.status_code == 201, sell.text
    await assert_ledger_reconciles(client, guest)


async def test_trade_history_pages_newest_first(client: httpx.AsyncClient, guest: dict[str, str]) -> None:
    for amount in ("1", "2", "3"):
        assert (
            await order(client, guest, key(), side="buy", token=WETH, usd_amount=amount)
        ).status_code == 201
    page = (await client.get("/api/portfolio/trades", params={"limit": 2}, headers=guest)).json()
    assert [Decimal(t["usd_amount"]) for t in page["items"]] == [3, 2] and page["next_cursor"]
    rest = (
        await client.get(
            "/api/portfolio/trades", params={"limit": 2, "cursor": page["next_cursor"]}, headers=guest
        )
    ).json()
    assert [Decimal(t["usd_amount"]) for t in rest["items"]] == [1] and rest["next_cursor"] is None
    bad = await client.get("/api/portfolio/trades", params={"cursor": "nope"}, headers=guest)
    assert bad.status_code == 400


async def test_reset_archives_the_run(client: httpx.AsyncClient, guest: dict[str, str]) -> None:
    original = key()
    await order(client, guest, original, side="buy", token=WETH, usd_amount="40")
    reset = await client.post("/api/portfolio/reset", headers=guest)
    assert reset.status_code == 200, reset.text
    view = reset.json()
    assert view["run"] == 2 and view["cash_usd"] == "100.00000000" and view["holdings"] == []
    assert (await client.get("/api/portfolio/trades", headers=guest)).json()["items"] == []
    # A late retry of an order from the old run does not trade again in the new one.
    again = await order(client, guest, original, side="buy", token=WETH, usd_amount="40")
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert (await client.get("/api/portfolio", headers=guest)).json()["cash_usd"] == "100.00000000"


@pytest.mark.parametrize(
    ("body", "status", "kind"),
    [
        ({"side": "buy", "token": WETH, "usd_amount": "0.99"}, 422, "TradeTooSmall"),
        ({"side": "buy", "token": WETH, "usd_amount": "1.001"}, 422, "ValidationError"),
        ({"side": "buy", "token": WETH, "usd_amount": "ten"}, 422, "ValidationError"),
        ({"side": "buy", "token": WETH, "usd_amount": -5}, 422, "ValidationError"),
        ({"side": "buy", "token": WETH, "usd_amount": "5", "type": "limit"}, 422, "ValidationError"),
        ({"side": "buy", "token": WETH}, 422, "ValidationError"),
        ({"side": "sell", "token": WETH, "token_amount": "1", "percent": "5"}, 422, "ValidationError"),
        ({"side": "hold", "token": WETH, "usd_amount": "5"}, 422, "ValidationError"),
        ({"side": "sell", "token": WETH, "percent": "101"}, 422, "ValidationError"),
        ({"side": "sell", "token": WETH, "token_amount": "0.5"}, 409, "InsufficientTokens"),
        ({"side": "sell", "token": WETH, "percent": "50"}, 409, "InsufficientTokens"),
        ({"side": "sell", "token": USDC, "token_amount": "1.0000001"}, 422, "InvalidAmount"),
        ({"side": "buy", "token": "0x" + "ab" * 20, "usd_amount": "5"}, 404, "UnknownToken"),
        ({"side": "buy", "token": "weth", "usd_amount": "5"}, 400, "InvalidAddress"),
        ({"side": "buy", "token": WETH, "usd_amount": "100.01"}, 409, "InsufficientCash"),
    ],
)
async def test_bad_orders_get_a_clear_4xx(
    client: httpx.AsyncClient, guest: dict[str, str], body: dict[str, Any], status: int, kind: str
) -> None:
    response = await order(client, guest, key(), **body)
    assert response.status_code == status, response.text
    assert response.json()["error"] == kind and response.json()["detail"]


@pytest.mark.parametrize("header", [None, "", "x" * 101])
async def test_orders_need_an_idempotency_key(
    client: httpx.AsyncClient, guest: dict[str, str], header: str | None
) -> None:
    response = await order(client, guest, header, side="buy", token=WETH, usd_amount="5")
    assert response.status_code == 400 and response.json()["error"] == "IdempotencyKeyRequired"
    assert "Idempotency-Key" in response.json()["detail"]


async def test_min_amount_out_refuses_a_worse_fill(client: httpx.AsyncClient, guest: dict[str, str]) -> None:
    response = await order(client, guest, key(), side="buy", token=WETH, usd_amount="5", min_amount_out="1")
    assert response.status_code == 409 and response.json()["error"] == "PriceMoved"


async def test_portfolio_needs_a_session(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/portfolio")).status_code == 401
