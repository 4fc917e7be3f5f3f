"""Portfolio tests trade against a price board we write into the KV layer ourselves.

The poller would overwrite it every tick, so its interval is set to an hour: it writes its first
board at start-up, and `set_prices` waits for that before writing ours.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import orjson
import pytest

from eaili5.market.schemas import PriceTick
from eaili5.market.service import TICKS_KEY
from tests.conftest import auth, new_guest

WETH = "0x4200000000000000000000000000000000000006"
USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
BALD = "0x27D2DECb4bFC9C76F0309b8E88dec3a601Fe25a8"
MOG = "0x2Da56AcB9Ea78330f947bD57C54119Debda7AF71"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"market_tick_seconds": 3600.0}


async def first_round_done(app: Any) -> None:
    """Wait for the poller's start-up tick hook (expiry, fills, periodic snapshot) to finish, so it
    cannot land in the middle of a test."""
    poller = app.state.market_poller
    for _ in range(500):
        if poller.hook_task is not None:
            break
        await asyncio.sleep(0.01)
    if poller.hook_task is not None:
        await asyncio.wait({poller.hook_task}, timeout=10)


async def set_prices(app: Any, prices: dict[str, tuple[str, str]], age_seconds: float = 0) -> None:
    """Write a board: {address: (price_usd, liquidity_usd)}, `age_seconds` old."""
    kv = app.state.eaili5.kv
    for _ in range(500):
        if await kv.get(TICKS_KEY) is not None:
            break
        await asyncio.sleep(0.01)
    await first_round_done(app)
    as_of = datetime.now(UTC) - timedelta(seconds=age_seconds)
    board = {
        address.lower(): PriceTick(
            address=address,
            price_usd=Decimal(price),
            change_24h_pct=Decimal("1.5"),
            volume_24h_usd=Decimal("1000000"),
            liquidity_usd=Decimal(liquidity),
            as_of=as_of,
            source="simulated",
            transactions_24h=5000,
        ).model_dump(mode="json")
        for address, (price, liquidity) in prices.items()
    }
    await kv.set(TICKS_KEY, orjson.dumps(board), ttl_seconds=3600)


DEFAULT_PRICES = {
    WETH: ("2000", "2000000"),
    USDC: ("1.0001", "28000000"),
    BALD: ("0.0005", "10000"),
    MOG: ("0.00000030", "600000"),
}


@pytest.fixture
async def guest(client: httpx.AsyncClient, app: Any) -> dict[str, str]:
    await set_prices(app, DEFAULT_PRICES)
    token, _ = await new_guest(client)
    return auth(token)


async def order(
    client: httpx.AsyncClient, headers: dict[str, str], key: str | None, **body: Any
) -> httpx.Response:
    extra = {"Idempotency-Key": key} if key is not None else {}
    return await client.post("/api/portfolio/orders", json=body, headers={**headers, **extra})


async def assert_ledger_reconciles(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    """cash + cost basis of holdings == 100 + realized P&L, exactly (fees and gas are inside both)."""
    view = (await client.get("/api/portfolio", headers=headers)).json()
    cash, basis = Decimal(view["cash_usd"]), Decimal(view["cost_basis_usd"])
    assert cash >= 0
    assert cash + basis == Decimal("100") + Decimal(view["realized_pnl_usd"]), view
    return dict(view)


def board(prices: dict[str, str], liquidity: str = "2000000") -> dict[str, PriceTick]:
    """A fresh tick board for the tick hook: {address: price_usd}."""
    now = datetime.now(UTC)
    return {
        address.lower(): PriceTick(
            address=address,
            price_usd=Decimal(price),
            change_24h_pct=Decimal("1.5"),
            volume_24h_usd=Decimal("1000000"),
            liquidity_usd=Decimal(liquidity),
            as_of=now,
            source="simulated",
        )
        for address, price in prices.items()
    }


def ticker(app: Any) -> Any:
    """The tick hook the polling instance runs, built on the app's own database, hub and KV."""
    from eaili5.portfolio.fills import PortfolioTicker
    from eaili5.portfolio.service import PortfolioService

    state = app.state.eaili5
    service = PortfolioService(state.market, state.settings)
    return PortfolioTicker(state.db, service, state.hub, state.kv, state.events)
