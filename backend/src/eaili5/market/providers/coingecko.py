"""CoinGecko (optional demo key): batched prices for the tokens it lists. It has no DEX candles here.

`simple/token_price/base?contract_addresses=a,b,...` answers `{address: {usd, usd_24h_change,
usd_24h_vol, usd_market_cap}}` with JSON numbers, leaving out contracts it does not list (it is weak
on long-tail Base tokens). It reports no pool, so liquidity is 0 ("not reported"), never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eaili5.market.errors import MarketDataUnavailable
from eaili5.market.providers.http import (
    VendorNotFound,
    VendorProvider,
    as_dict,
    asked,
    to_decimal,
    to_price,
    utc_now,
)
from eaili5.market.schemas import Candle, PriceTick, Timeframe, Token

PLATFORM = "base"
API_KEY_HEADER = "x-cg-demo-api-key"


class CoinGeckoProvider(VendorProvider):
    name = "coingecko"
    vendor = "CoinGecko"
    default_base_url = "https://api.coingecko.com/api/v3"

    async def get_prices(self, addresses: Sequence[str]) -> dict[str, PriceTick]:
        batch = self._batch(addresses)
        if not batch:
            return {}
        params = {
            "contract_addresses": ",".join(batch),
            "vs_currencies": "usd",
            "include_24hr_change": "true",
            "include_24hr_vol": "true",
            "include_market_cap": "true",
        }
        headers = {API_KEY_HEADER: self._api_key} if self._api_key else None
        url = f"{self._base_url}/simple/token_price/{PLATFORM}"
        try:
            document = as_dict(await self._get(url, params, headers), self.vendor, "document")
        except VendorNotFound:
            return {}
        ticks = {}
        for address, raw in document.items():
            token = asked(batch, address)
            if token is None or not isinstance(raw, dict):
                continue
            tick = _tick(token, raw)
            if tick is not None:
                ticks[token.address] = tick
        return ticks

    async def get_candles(
        self, address: str, timeframe: Timeframe, limit: int, before: int | None = None
    ) -> list[Candle]:
        self._candle_token(address, limit)
        raise MarketDataUnavailable("CoinGecko has no candles here; charts come from another source.")


def _tick(token: Token, quote: dict[str, Any]) -> PriceTick | None:
    price = to_price(quote.get("usd"))
    if price is None:
        return None
    market_cap = to_decimal(quote.get("usd_market_cap"))
    return PriceTick(
        address=token.address,
        price_usd=price,
        change_24h_pct=to_decimal(quote.get("usd_24h_change")),
        volume_24h_usd=to_decimal(quote.get("usd_24h_vol")),
        liquidity_usd=None,  # CoinGecko reports no pool liquidity
        # CoinGecko answers 0 for a market cap it does not know: unknown, not worthless.
        market_cap_usd=market_cap if market_cap else None,
        as_of=utc_now(),
        source="coingecko",
    )
