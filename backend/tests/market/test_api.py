"""The market HTTP API on the embedded simulated market, on both storage stacks."""

from __future__ import annotations

import itertools
from decimal import Decimal

import httpx
import pytest

WETH = "0x4200000000000000000000000000000000000006"


async def test_list_has_every_snapshot_token_with_prices(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/tokens", params={"limit": 100})).json()
    assert len(body["items"]) >= 40
    assert body["source"] == "simulated" and body["stale"] is False and body["next_cursor"] is None
    row = body["items"][0]
    assert isinstance(row["price_usd"], str) and Decimal(row["price_usd"]) > 0  # decimal strings, not floats
    assert row["source"] == "simulated"
    assert {"address", "symbol", "main_pool", "pool_age_days", "risk_flags", "as_of"} <= row.keys()


@pytest.mark.parametrize(
    ("sort", "field", "descending"),
    [
        ("volume", "volume_24h_usd", True),
        ("liquidity", "liquidity_usd", True),
        ("gainers", "change_24h_pct", True),
        ("losers", "change_24h_pct", False),
    ],
)
async def test_sorting(client: httpx.AsyncClient, sort: str, field: str, descending: bool) -> None:
    items = (await client.get("/api/tokens", params={"sort": sort, "limit": 100})).json()["items"]
    values = [Decimal(item[field]) for item in items]
    assert values == sorted(values, reverse=descending)


async def test_newest_pools_first(client: httpx.AsyncClient) -> None:
    items = (await client.get("/api/tokens", params={"sort": "new", "limit": 100})).json()["items"]
    ages = [item["pool_age_days"] for item in items]
    assert ages == sorted(ages)


async def test_search_by_symbol_name_or_address(client: httpx.AsyncClient) -> None:
    by_symbol = (await client.get("/api/tokens", params={"q": "weth"})).json()["items"]
    assert [item["symbol"] for item in by_symbol] == ["WETH"]
    by_address = (await client.get("/api/tokens", params={"q": WETH[:12]})).json()["items"]
    assert by_address[0]["address"] == WETH
    assert (await client.get("/api/tokens", params={"q": "no-such-token"})).json()["items"] == []


async def test_cursor_pagination_covers_the_list_once(client: httpx.AsyncClient) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(20):
        params = {"sort": "new", "limit": 7, **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/api/tokens", params=params)).json()
        seen += [item["address"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    everything = (await client.get("/api/tokens", params={"sort": "new", "limit": 100})).json()["items"]
    assert seen == [item["address"] for item in everything]


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"limit": 0}, "ValidationError"),
        ({"limit": 101}, "ValidationError"),
        ({"sort": "hot"}, "ValidationError"),
        ({"cursor": "garbage!"}, "BadRequest"),
        ({"q": "x" * 65}, "ValidationError"),
    ],
)
async def test_bad_list_parameters(client: httpx.AsyncClient, params: dict[str, object], error: str) -> None:
    response = await client.get("/api/tokens", params=params)
    assert response.status_code in (400, 422)
    assert response.json()["error"] == error


async def test_token_detail(client: httpx.AsyncClient) -> None:
    body = (await client.get(f"/api/tokens/{WETH.upper().replace('0X', '0x')}")).json()
    assert body["address"] == WETH and body["symbol"] == "WETH"
    assert body["sources"] and isinstance(body["price_is_placeholder"], bool)
    assert isinstance(body["stats_are_placeholders"], bool)


async def test_unknown_and_malformed_addresses(client: httpx.AsyncClient) -> None:
    unknown = await client.get("/api/tokens/0x" + "1" * 40)
    assert unknown.status_code == 404 and unknown.json()["error"] == "UnknownToken"
    malformed = await client.get("/api/tokens/0x12zz")
    assert malformed.status_code == 400 and malformed.json()["error"] == "InvalidAddress"
    assert "40 hexadecimal" in malformed.json()["detail"]
    no_prefix = await client.get("/api/tokens/" + "1" * 40)
    assert "start with 0x" in no_prefix.json()["detail"]


async def test_candles_agree_with_the_tick(client: httpx.AsyncClient) -> None:
    series = (await client.get(f"/api/tokens/{WETH}/candles", params={"tf": "1m", "limit": 5})).json()
    assert series["timeframe"] == "1m" and series["source"] == "simulated" and len(series["candles"]) == 5
    times = [candle["t"] for candle in series["candles"]]
    assert times == sorted(times) and all(b - a == 60 for a, b in itertools.pairwise(times))
    for candle in series["candles"]:
        low, high = Decimal(candle["l"]), Decimal(candle["h"])
        assert low <= Decimal(candle["o"]) <= high and low <= Decimal(candle["c"]) <= high


async def test_candles_before_and_bad_parameters(client: httpx.AsyncClient) -> None:
    before = 1_790_000_000
    series = (
        await client.get(f"/api/tokens/{WETH}/candles", params={"tf": "1d", "limit": 3, "before": before})
    ).json()
    assert all(candle["t"] < before for candle in series["candles"])
    for params in ({"tf": "2m"}, {"limit": 0}, {"limit": 1001}, {"before": -1}):
        response = await client.get(f"/api/tokens/{WETH}/candles", params=params)
        assert response.status_code == 422, params


async def test_market_status(client: httpx.AsyncClient) -> None:
    await client.get("/api/tokens")
    status = (await client.get("/api/market/status")).json()
    assert status["active_source"] == "simulated"
    assert status["sources"][0]["name"] == "simulated" and status["sources"][0]["last_success_at"]
