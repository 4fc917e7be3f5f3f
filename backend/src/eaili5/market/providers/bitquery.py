"""Bitquery (keyed GraphQL, optional): candles, 24h prices and recent trades from Base DEX trades.

One POST per call to `streaming.bitquery.io/graphql` with a bearer token. `DEXTradeByTokens` filtered
on our token sees every trade once from that token's side, in USD:
- candles group trades by `Block.Time(interval: {in: minutes, count: N})`; open and close are the prices
  at the first and last block of each bucket, high and low the extremes;
- prices aggregate the last 24 h per token in one query for the whole batch: the last trade's price, the
  move since the first trade of the window, USD volume and the trade count. No pool, so liquidity is 0.
`PriceAsymmetry < 0.1` drops trades whose two sides disagree on price (bad oracles, sandwich legs).
GraphQL reports errors in a 200 answer's `errors` list; those become `MarketDataUnavailable` too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from eaili5.market.providers.base import address_key, check_trade_limit
from eaili5.market.providers.http import (
    DEFAULT_TIMEOUT,
    VendorProvider,
    as_dict,
    as_list,
    asked,
    dig,
    request_json,
    shape_error,
    to_count,
    to_decimal,
    to_price,
    unavailable,
    utc_now,
)
from eaili5.market.schemas import Candle, MarketTrade, PriceTick, Timeframe, Token

logger = logging.getLogger(__name__)

CANDLES_QUERY = """
query Candles($token: String!, $minutes: Int!, $limit: Int!, $before: DateTime!) {
  EVM(network: base) {
    DEXTradeByTokens(
      orderBy: {descendingByField: "Block_Time"}
      limit: {count: $limit}
      where: {Trade: {Currency: {SmartContract: {is: $token}}, PriceAsymmetry: {lt: 0.1}},
              Block: {Time: {before: $before}}}
    ) {
      Block { Time(interval: {in: minutes, count: $minutes}) }
      volume: sum(of: Trade_AmountInUSD)
      Trade {
        open: PriceInUSD(minimum: Block_Number)
        high: PriceInUSD(maximum: Trade_PriceInUSD)
        low: PriceInUSD(minimum: Trade_PriceInUSD)
        close: PriceInUSD(maximum: Block_Number)
      }
    }
  }
}
"""

PRICES_QUERY = """
query Prices($tokens: [String!], $since: DateTime!) {
  EVM(network: base) {
    DEXTradeByTokens(
      where: {Trade: {Currency: {SmartContract: {in: $tokens}}, PriceAsymmetry: {lt: 0.1}},
              Block: {Time: {since: $since}}}
    ) {
      Trade {
        Currency { SmartContract }
        open: PriceInUSD(minimum: Block_Number)
        close: PriceInUSD(maximum: Block_Number)
      }
      volume: sum(of: Trade_AmountInUSD)
      trades: count
    }
  }
}
"""


TRADES_QUERY = """
query Trades($token: String!, $limit: Int!) {
  EVM(network: base) {
    DEXTradeByTokens(
      orderBy: {descending: Block_Time}
      limit: {count: $limit}
      where: {Trade: {Currency: {SmartContract: {is: $token}}, PriceAsymmetry: {lt: 0.1}}}
    ) {
      Block { Time }
      Trade { Amount Price PriceInUSD Dex { ProtocolName } }
    }
  }
}
"""


class BitqueryProvider(VendorProvider):
    name = "bitquery"
    has_trades = True
    vendor = "Bitquery"
    default_base_url = "https://streaming.bitquery.io/graphql"

    def __init__(
        self,
        http: httpx.AsyncClient,
        tokens: Sequence[Token],
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if not api_key:
            raise ValueError("Bitquery needs an API key (BITQUERY_API_KEY)")
        super().__init__(http, tokens, base_url, api_key, timeout)

    async def get_prices(self, addresses: Sequence[str]) -> dict[str, PriceTick]:
        batch = self._batch(addresses)
        if not batch:
            return {}
        since = utc_now() - timedelta(days=1)
        variables = {"tokens": list(batch), "since": _iso(since)}
        ticks = {}
        for row in await self._query(PRICES_QUERY, variables):
            token = asked(batch, dig(row, "Trade", "Currency", "SmartContract"))
            tick = _tick(token, row) if token is not None else None
            if tick is not None:
                ticks[tick.address] = tick
        return ticks

    async def get_candles(
        self, address: str, timeframe: Timeframe, limit: int, before: int | None = None
    ) -> list[Candle]:
        token = self._candle_token(address, limit)
        until = datetime.fromtimestamp(before, UTC) if before is not None else utc_now()
        variables = {
            "token": token.address.lower(),
            "minutes": timeframe.seconds // 60,
            "limit": limit,
            "before": _iso(until),
        }
        candles = [self._candle(row) for row in await self._query(CANDLES_QUERY, variables)]
        return sorted(candles, key=lambda candle: candle.t)[-limit:]

    async def get_recent_trades(self, address: str, limit: int) -> list[MarketTrade]:
        check_trade_limit(limit)
        token = self._known(address_key(address))
        variables = {"token": token.address.lower(), "limit": limit}
        trades = [self._trade(row) for row in await self._query(TRADES_QUERY, variables)]
        return sorted(trades, key=lambda trade: trade.at, reverse=True)[:limit]

    async def _query(self, query: str, variables: dict[str, Any]) -> list[Any]:
        document = as_dict(
            await request_json(
                self._http,
                "POST",
                self._base_url,
                vendor=self.vendor,
                headers={"Authorization": f"Bearer {self._api_key}"},
                json_body={"query": query, "variables": variables},
                timeout=self._timeout,
            ),
            self.vendor,
            "document",
        )
        errors = document.get("errors")
        if errors:
            # The messages are Bitquery's (they can quote the query): log them, keep the detail short.
            logger.warning("bitquery GraphQL errors: %s", str(errors)[:500])
            raise unavailable(self.vendor, "it rejected our query")
        return as_list(dig(document, "data", "EVM", "DEXTradeByTokens"), self.vendor, "DEXTradeByTokens")

    def _candle(self, row: Any) -> Candle:
        opened = _unix_seconds(dig(row, "Block", "Time"))
        trade = dig(row, "Trade")
        o, h, l, c = (to_decimal(dig(trade, field)) for field in ("open", "high", "low", "close"))  # noqa: E741
        v = to_decimal(dig(row, "volume"))
        if opened is None or o is None or h is None or l is None or c is None or v is None:
            raise shape_error(self.vendor, "a candle row is missing its time or a price")
        return Candle(t=opened, o=o, h=h, l=l, c=c, v=v)

    def _trade(self, row: Any) -> MarketTrade:
        at = _unix_seconds(dig(row, "Block", "Time"))
        price = to_price(dig(row, "Trade", "PriceInUSD"))
        amount = to_decimal(dig(row, "Trade", "Amount"))
        if at is None or price is None or amount is None:
            raise shape_error(self.vendor, "a trade row is missing its time, price or amount")
        dex = dig(row, "Trade", "Dex", "ProtocolName")
        return MarketTrade(
            at=datetime.fromtimestamp(at, UTC),
            side=None,  # DEXTradeByTokens rows as we query them do not say which way the swap went
            price_usd=price,
            amount=amount,
            amount_usd=(price * amount).quantize(Decimal("0.01")),
            dex=dex if isinstance(dex, str) else None,
        )


def _tick(token: Token, row: Any) -> PriceTick | None:
    close = to_price(dig(row, "Trade", "close"))
    if close is None:
        return None
    opened = to_price(dig(row, "Trade", "open"))
    change = ((close / opened - 1) * 100).quantize(Decimal("0.01")) if opened is not None else None
    return PriceTick(
        address=token.address,
        price_usd=close,
        change_24h_pct=change,
        volume_24h_usd=to_decimal(dig(row, "volume")),
        liquidity_usd=None,  # trades say nothing about pool depth
        transactions_24h=to_count(dig(row, "trades")),
        as_of=utc_now(),
        source="bitquery",
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _unix_seconds(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())
