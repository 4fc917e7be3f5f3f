"""DexScreener (keyless, ~300 requests a minute): the price fallback. It has no candles.

`tokens/v1/base/{a,b,...}` (up to 30 addresses) answers one flat list of pairs. A token's price is
read from the pair with the most liquidity among those where it is the *base* token: `priceUsd` is
always the base token's price, so a pair quoting our token says nothing about its price.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from eaili5.market.errors import MarketDataUnavailable
from eaili5.market.providers.http import (
    VendorNotFound,
    VendorProvider,
    as_dict,
    as_list,
    asked,
    dig,
    pool_spelling,
    sum_counts,
    to_decimal,
    to_price,
    utc_now,
)
from eaili5.market.schemas import Candle, PriceTick, Timeframe, Token

CHAIN = "base"


class DexScreenerProvider(VendorProvider):
    name = "dexscreener"
    vendor = "DexScreener"
    default_base_url = "https://api.dexscreener.com"

    async def get_prices(self, addresses: Sequence[str]) -> dict[str, PriceTick]:
        batch = self._batch(addresses)
        if not batch:
            return {}
        keys = ",".join(batch)
        try:
            pairs = as_list(
                await self._get(f"{self._base_url}/tokens/v1/{CHAIN}/{keys}"), self.vendor, "document"
            )
        except VendorNotFound:
            return {}
        best: dict[str, tuple[Token, dict[str, Any], Decimal]] = {}
        for raw in pairs:
            pair = as_dict(raw, self.vendor, "pair")
            token = asked(batch, dig(pair, "baseToken", "address"))
            price = to_price(pair.get("priceUsd"))
            if token is None or price is None or pair.get("chainId", CHAIN) != CHAIN:
                continue
            current = best.get(token.address)
            if current is None or _liquidity(pair) > _liquidity(current[1]):
                best[token.address] = (token, pair, price)
        return {address: _tick(token, pair, price) for address, (token, pair, price) in best.items()}

    async def get_candles(
        self, address: str, timeframe: Timeframe, limit: int, before: int | None = None
    ) -> list[Candle]:
        self._candle_token(address, limit)
        raise MarketDataUnavailable("DexScreener has no candles; charts come from another source.")


def _liquidity(pair: dict[str, Any]) -> Decimal:
    # A pair without a liquidity figure ranks below every pair with one, even one of $0.
    liquidity = to_decimal(dig(pair, "liquidity", "usd"))
    return liquidity if liquidity is not None else Decimal(-1)


def _tick(token: Token, pair: dict[str, Any], price: Decimal) -> PriceTick:
    return PriceTick(
        address=token.address,
        price_usd=price,
        change_24h_pct=to_decimal(dig(pair, "priceChange", "h24")),
        change_1h_pct=to_decimal(dig(pair, "priceChange", "h1")),
        volume_24h_usd=to_decimal(dig(pair, "volume", "h24")),
        liquidity_usd=to_decimal(dig(pair, "liquidity", "usd")),
        fdv_usd=to_decimal(pair.get("fdv")),
        market_cap_usd=to_decimal(pair.get("marketCap")),
        transactions_24h=sum_counts(dig(pair, "txns", "h24", "buys"), dig(pair, "txns", "h24", "sells")),
        pool_address=pool_spelling(pair.get("pairAddress")),
        as_of=utc_now(),
        source="dexscreener",
    )
