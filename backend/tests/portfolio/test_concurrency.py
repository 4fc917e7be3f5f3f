"""Idempotency and concurrent orders through the HTTP client, on both storage stacks."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select

from eaili5.models import Portfolio
from tests.portfolio.conftest import WETH, assert_ledger_reconciles, order


async def test_a_repeated_key_trades_once(client: httpx.AsyncClient, guest: dict[str, str]) -> None:
    key = str(uuid.uuid4())
    first = await order(client, guest, key, side="buy", token=WETH, usd_amount="10")
    again = await order(client, guest, key, side="buy", token=WETH, usd_amount="10")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "replayed": True}
    other = await order(client, guest, key, side="buy", token=WETH, usd_amount="11")
    assert other.status_code == 409 and other.json()["error"] == "IdempotencyKeyReused"
    view = await assert_ledger_reconciles(client, guest)
    assert Decimal(view["cash_usd"]) == Decimal("90")


async def _run_touched_at(app: Any, guest: dict[str, str], client: httpx.AsyncClient) -> datetime:
    user_id = uuid.UUID((await client.get("/api/me", headers=guest)).json()["id"])
    async with app.state.eaili5.db.transaction() as db:
        query = select(Portfolio.updated_at).where(
            Portfolio.user_id == user_id, Portfolio.archived_at.is_(None)
        )
        return (await db.execute(query)).scalar_one()


async def test_a_retry_leaves_the_run_untouched(
    app: Any, client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    """The order's write lock touches the run's `updated_at`; a retry trades nothing, so it keeps nothing of that."""
    key = str(uuid.uuid4())
    first = await order(client, guest, key, side="buy", token=WETH, usd_amount="10")
    assert first.status_code == 201, first.text
    touched = await _run_touched_at(app, guest, client)
    await asyncio.sleep(0.01)  # a later touch would show as a later timestamp
    again = await order(client, guest, key, side="buy", token=WETH, usd_amount="10")
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert await _run_touched_at(app, guest, client) == touched


async def test_the_same_key_sent_concurrently_trades_once(
    client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    key = str(uuid.uuid4())
    responses = await asyncio.gather(
        *(order(client, guest, key, side="buy", token=WETH, usd_amount="10") for _ in range(10))
    )
    assert sorted(r.status_code for r in responses) == [200] * 9 + [201], [r.text for r in responses]
    assert len({r.json()["trade"]["id"] for r in responses}) == 1
    trades = (await client.get("/api/portfolio/trades", headers=guest)).json()["items"]
    assert len(trades) == 1
    view = await assert_ledger_reconciles(client, guest)
    assert Decimal(view["cash_usd"]) == Decimal("90")


async def test_fifty_concurrent_buys_never_overspend(
    client: httpx.AsyncClient, guest: dict[str, str]
) -> None:
    """50 buys of $3 ($150 against $100 of cash): 33 fill, 17 are refused, cash never goes negative."""
    await client.get("/api/portfolio", headers=guest)  # the portfolio exists before the rush
    responses = await asyncio.gather(
        *(order(client, guest, str(uuid.uuid4()), side="buy", token=WETH, usd_amount="3") for _ in range(50))
    )
    filled = [r for r in responses if r.status_code == 201]
    refused = [r for r in responses if r.status_code != 201]
    assert all(r.status_code == 409 and r.json()["error"] == "InsufficientCash" for r in refused), [
        r.text for r in refused
    ]
    assert "in cash" in refused[0].json()["detail"]
    spent = sum(Decimal(r.json()["trade"]["usd_amount"]) for r in filled)
    assert len(filled) == 33 and spent == Decimal("99") <= Decimal("100")
    view = await assert_ledger_reconciles(client, guest)
    assert Decimal(view["cash_usd"]) == Decimal("1")
    held = sum(Decimal(r.json()["trade"]["token_amount"]) for r in filled)
    assert Decimal(view["holdings"][0]["amount"]) == held


async def test_concurrent_sells_never_oversell(client: httpx.AsyncClient, guest: dict[str, str]) -> None:
    await order(client, guest, str(uuid.uuid4()), side="buy", token=WETH, usd_amount="50")
    responses = await asyncio.gather(
        *(order(client, guest, str(uuid.uuid4()), side="sell", token=WETH, percent="40") for _ in range(10))
    )
    assert all(r.status_code in (201, 409, 422) for r in responses), [r.text for r in responses]
    view = await assert_ledger_reconciles(client, guest)
    for holding in view["holdings"]:
        assert Decimal(holding["amount"]) >= 0
