"""GeckoTerminal (keyless, ~30 calls a minute for the whole app): batched prices and pool candles.

Prices: one `tokens/multi/{a,b,...}?include=top_pools` call per batch of up to 30. Token attributes give
price, FDV, market cap, 24h volume (all pools); the token's top pool from `included` gives liquidity,
1h/24h change and 24h transactions. A pool's price change is its *base* token's, so only a top pool
where our token is the base is used for changes; the pool is remembered for candles.

Candles: `pools/{pool}/ohlcv/{minute|hour|day}?aggregate=N`, with `token=<our address>` so the bars are
our token's price even when it is the pool's quote token (USDC in WETH/USDC). Rows come newest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from eaili5.market.errors import MarketDataUnavailable
from eaili5.market.providers.http import (
    DEFAULT_TIMEOUT,
    VendorNotFound,
    VendorProvider,
    as_dict,
    as_list,
    asked,
    dig,
    pool_spelling,
    shape_error,
    sum_counts,
    to_count,
    to_decimal,
    to_price,
    utc_now,
)
from eaili5.market.schemas import Candle, PriceTick, Timeframe, Token

NETWORK = "base"
# GeckoTerminal's OHLCV timeframes and aggregates for ours.
OHLCV_PERIODS: dict[Timeframe, tuple[str, int]] = {
    Timeframe.M1: ("minute", 1),
    Timeframe.M5: ("minute", 5),
    Timeframe.M15: ("minute", 15),
    Timeframe.H1: ("hour", 1),
    Timeframe.H4: ("hour", 4),
    Timeframe.H12: ("hour", 12),
    Timeframe.D1: ("day", 1),
}


class GeckoTerminalProvider(VendorProvider):
    name = "geckoterminal"
    has_trending = True
    vendor = "GeckoTerminal"
    default_base_url = "https://api.geckoterminal.com/api/v2"

    def __init__(
        self,
        http: httpx.AsyncClient,
        tokens: Sequence[Token],
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(http, tokens, base_url, api_key, timeout)
        # Token key -> the pool to chart: learned from price calls, so candles cost no extra lookup.
        self._pools: dict[str, str] = {}

    async def get_prices(self, addresses: Sequence[str]) -> dict[str, PriceTick]:
        batch = self._batch(addresses)
        if not batch:
            return {}
        keys = ",".join(batch)
        url = f"{self._base_url}/networks/{NETWORK}/tokens/multi/{keys}"
        try:
            document = as_dict(await self._get(url, {"include": "top_pools"}), self.vendor, "document")
        except VendorNotFound:
            return {}  # it knows none of them
        pools = _included_pools(document, self.vendor)
        ticks = {}
        for item in as_list(document.get("data"), self.vendor, "data"):
            tick = self._tick(batch, as_dict(item, self.vendor, "data[]"), pools)
            if tick is not None:
                ticks[tick.address] = tick
        return ticks

    async def trending(self) -> list[str]:
        """Our tokens that are the base token of Base's trending pools, most trending first."""
        url = f"{self._base_url}/networks/{NETWORK}/trending_pools"
        document = as_dict(
            await self._get(url, {"include": "base_token", "page": "1"}), self.vendor, "document"
        )
        ranked: list[str] = []
        for pool in as_list(document.get("data"), self.vendor, "data"):
            token_id = _base_token_id(pool) if isinstance(pool, dict) else None
            key = token_id.removeprefix(f"{NETWORK}_").lower() if isinstance(token_id, str) else None
            if key in self._by_key and key not in ranked:
                ranked.append(key)
        return ranked

    def _tick(
        self, batch: dict[str, Token], item: dict[str, Any], pools: dict[str, dict[str, Any]]
    ) -> PriceTick | None:
        attributes = as_dict(item.get("attributes"), self.vendor, "token attributes")
        token = asked(batch, attributes.get("address"))
        price = to_price(attributes.get("price_usd"))
        if token is None or price is None:
            return None
        top = _top_pools(item, pools)
        as_base = next((pool for pool in top if _base_token_id(pool) == item.get("id")), None)
        pool = as_base or (top[0] if top else None)
        pool_attributes = dig(pool, "attributes") or {}
        pool_address = pool_spelling(pool_attributes.get("address"))
        if pool_address is not None:
            self._pools[token.address.lower()] = pool_address
        changes = dig(as_base, "attributes", "price_change_percentage")
        liquidity = to_decimal(pool_attributes.get("reserve_in_usd"))
        return PriceTick(
            address=token.address,
            price_usd=price,
            change_24h_pct=to_decimal(dig(changes, "h24")),
            change_1h_pct=to_decimal(dig(changes, "h1")),
            volume_24h_usd=to_decimal(dig(attributes, "volume_usd", "h24")),
            liquidity_usd=liquidity or to_decimal(attributes.get("total_reserve_in_usd")),
            fdv_usd=to_decimal(attributes.get("fdv_usd")),
            market_cap_usd=to_decimal(attributes.get("market_cap_usd")),
            transactions_24h=sum_counts(
                dig(pool_attributes, "transactions", "h24", "buys"),
                dig(pool_attributes, "transactions", "h24", "sells"),
            )
            if pool is not None
            else None,
            pool_address=pool_address,
            as_of=utc_now(),
            source="geckoterminal",
        )

    async def get_candles(
        self, address: str, timeframe: Timeframe, limit: int, before: int | None = None
    ) -> list[Candle]:
        token = self._candle_token(address, limit)
        pool = await self._chart_pool(token)
        period, aggregate = OHLCV_PERIODS[timeframe]
        params = {
            "aggregate": str(aggregate),
            "limit": str(limit),
            "currency": "usd",
            "token": token.address.lower(),
        }
        if before is not None:
            params["before_timestamp"] = str(before)
        url = f"{self._base_url}/networks/{NETWORK}/pools/{pool}/ohlcv/{period}"
        document = as_dict(await self._get(url, params), self.vendor, "document")
        rows = as_list(dig(document, "data", "attributes", "ohlcv_list"), self.vendor, "ohlcv_list")
        candles = sorted((self._candle(row) for row in rows), key=lambda candle: candle.t)
        if before is not None:
            candles = [candle for candle in candles if candle.t < before]
        return candles[-limit:]

    def _candle(self, row: Any) -> Candle:
        values = as_list(row, self.vendor, "ohlcv row")
        if len(values) < 6:
            raise shape_error(self.vendor, "ohlcv row has fewer than 6 values")
        t = to_count(values[0])
        o, h, l, c, v = (to_decimal(value) for value in values[1:6])  # noqa: E741 - OHLCV names
        if t is None or o is None or h is None or l is None or c is None or v is None:
            raise shape_error(self.vendor, "ohlcv row has a value that is not a number")
        return Candle(t=t, o=o, h=h, l=l, c=c, v=v)

    async def _chart_pool(self, token: Token) -> str:
        """The pool to chart: the last one seen in prices, the snapshot's, else the vendor's top pool."""
        key = token.address.lower()
        pool = self._pools.get(key) or token.main_pool.address
        if pool is None:
            pool = await self._lookup_pool(key)
        self._pools[key] = pool
        return pool

    async def _lookup_pool(self, key: str) -> str:
        url = f"{self._base_url}/networks/{NETWORK}/tokens/{key}/pools"
        try:
            document = as_dict(await self._get(url, {"page": "1"}), self.vendor, "document")
        except VendorNotFound:
            document = {"data": []}
        for item in as_list(document.get("data"), self.vendor, "data"):
            address = pool_spelling(dig(item, "attributes", "address"))
            if address is not None:
                return address
        raise MarketDataUnavailable(f"GeckoTerminal lists no pool trading {key}, so it has no chart for it.")


def _included_pools(document: dict[str, Any], vendor: str) -> dict[str, dict[str, Any]]:
    included = document.get("included")
    if included is None:
        return {}
    pools = {}
    for item in as_list(included, vendor, "included"):
        if isinstance(item, dict) and item.get("type") == "pool" and isinstance(item.get("id"), str):
            pools[item["id"]] = item
    return pools


def _base_token_id(pool: dict[str, Any]) -> Any:
    return dig(pool, "relationships", "base_token", "data", "id")


def _top_pools(item: dict[str, Any], pools: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The token's top pools in the vendor's order (most liquid first), those present in `included`."""
    references = dig(item, "relationships", "top_pools", "data")
    if not isinstance(references, list):
        return []
    return [pools[ref["id"]] for ref in references if isinstance(ref, dict) and ref.get("id") in pools]
