"""The market data provider interface every source implements (simulated, GeckoTerminal, ...).

Contract, the same for every provider so the service can chain them:
- Addresses go in in any case (validated by `address_key`) and come out in their EIP-55 spelling.
- `get_prices` takes at most `MAX_PRICES_PER_CALL` addresses (the vendors' batch limit) and returns a
  tick for each known token it can price now; a token it cannot price right now is left out (the caller
  flags "no reliable price"); an address it has never heard of raises `UnknownToken`.
- `get_candles` returns at most `limit` candles, oldest first, whose open time is before `before`
  (unix seconds, default: now, so the newest candle may still be forming).
- `get_recent_trades` returns at most `limit` swaps, newest first; only providers with
  `has_trades` implement it (GeckoTerminal and DexScreener are not asked: REFERENCE.md lists no trades API).
- Failures of the outside world surface as `MarketDataUnavailable`, never as a vendor's exception.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from pydantic import TypeAdapter

from eaili5.market.address import is_hex_address
from eaili5.market.errors import (
    InvalidAddress,
    InvalidCandleRequest,
    InvalidTradesRequest,
    TooManyTokens,
    UnknownToken,
)
from eaili5.market.schemas import Candle, MarketTrade, PriceTick, Timeframe, Token

MAX_PRICES_PER_CALL = 30
MAX_CANDLES_PER_CALL = 1000
MAX_TRADES_PER_CALL = 100
CANDLE_LIST = TypeAdapter(list[Candle])


class MarketProvider(ABC):
    name: str
    has_trending = False  # whether trending() reflects a real view of what trends on Base
    has_trades = False  # whether get_recent_trades() is implemented

    @abstractmethod
    async def list_tokens(self) -> list[Token]:
        """Tokens this provider can price, in its preferred order."""

    @abstractmethod
    async def get_prices(self, addresses: Sequence[str]) -> dict[str, PriceTick]:
        """Ticks keyed by EIP-55 address; see the module docstring for the contract."""

    @abstractmethod
    async def get_candles(
        self, address: str, timeframe: Timeframe, limit: int, before: int | None = None
    ) -> list[Candle]:
        """OHLCV bars oldest first; see the module docstring for the contract."""

    async def get_candles_json(
        self, address: str, timeframe: Timeframe, limit: int, before: int | None = None
    ) -> bytes:
        """`get_candles` as the JSON array an API answer holds; a provider may make it more cheaply."""
        return CANDLE_LIST.dump_json(await self.get_candles(address, timeframe, limit, before))

    async def get_recent_trades(self, address: str, limit: int) -> list[MarketTrade]:
        """Recent swaps, newest first; see the module docstring for the contract."""
        raise NotImplementedError(f"{self.name} has no trades")

    async def trending(self) -> list[str]:
        """Lowercase addresses of our tokens in the vendor's trending order; empty when it has no view."""
        return []

    async def get_token(self, address: str) -> Token:
        wanted = address_key(address)
        for token in await self.list_tokens():
            if token.address.lower() == wanted:
                return token
        raise UnknownToken(address)


def address_key(address: str) -> str:
    """The lowercase form used for lookups, or InvalidAddress with a reason a newcomer can act on.

    Lookups ignore case because vendors answer in lowercase; EIP-55 spelling is for output only
    (computing it costs a pure-Python Keccak, too slow for every lookup).
    """
    if not address.startswith("0x"):
        raise InvalidAddress(address, "it must start with 0x")
    if not is_hex_address(address):
        raise InvalidAddress(address, "it must be 0x followed by exactly 40 hexadecimal characters")
    return address.lower()


def check_price_batch(addresses: Sequence[str]) -> list[str]:
    """Lookup keys for a price batch, duplicates dropped; refuses batches vendors would refuse."""
    if len(addresses) > MAX_PRICES_PER_CALL:
        raise TooManyTokens(len(addresses), MAX_PRICES_PER_CALL)
    return list(dict.fromkeys(address_key(address) for address in addresses))


def check_candle_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_CANDLES_PER_CALL:
        raise InvalidCandleRequest(f"limit must be between 1 and {MAX_CANDLES_PER_CALL} (got {limit}).")


def check_trade_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_TRADES_PER_CALL:
        raise InvalidTradesRequest(f"limit must be between 1 and {MAX_TRADES_PER_CALL} (got {limit}).")
