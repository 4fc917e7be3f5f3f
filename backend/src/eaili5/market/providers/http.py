"""Shared plumbing for the vendor adapters: HTTP calls, JSON shape checks, numbers, and our token universe.

Everything the outside world can do wrong is turned into our errors here, once, so each adapter only
describes its vendor's URLs and document shapes:
- HTTP 429 -> `VendorRateLimited` (with the vendor's `Retry-After`, default 60 s);
- HTTP 404 -> `VendorNotFound` (the vendor knows nothing at that URL; adapters decide what that means);
- timeouts, connection errors, 5xx, other 4xx, malformed JSON, documents of the wrong shape ->
  `MarketDataUnavailable`, naming the vendor and never echoing URLs, keys or headers.
Both special cases subclass `MarketDataUnavailable`, so a caller that only knows that one still works.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from eaili5.market.address import is_hex_address, to_checksum_address
from eaili5.market.errors import MarketDataUnavailable, UnknownToken
from eaili5.market.providers.base import MarketProvider, address_key, check_candle_limit, check_price_batch
from eaili5.market.schemas import Token

DEFAULT_RETRY_AFTER = 60
MAX_RETRY_AFTER = 3600  # a vendor asking us to wait a day is misconfigured; check again within the hour
DEFAULT_TIMEOUT = 10.0


class VendorRateLimited(MarketDataUnavailable):
    """The vendor answered 429: back off for `retry_after` seconds before asking it again."""

    kind = "VendorRateLimited"

    def __init__(self, vendor: str, retry_after: int) -> None:
        super().__init__(f"{vendor} is rate limiting us; it asked us to wait {retry_after} s.")
        self.vendor = vendor
        self.retry_after = retry_after


class VendorNotFound(MarketDataUnavailable):
    """The vendor answered 404: it has nothing at that URL (an unknown pool, token or network)."""

    kind = "VendorNotFound"


def unavailable(vendor: str, reason: str) -> MarketDataUnavailable:
    return MarketDataUnavailable(f"{vendor} is unavailable: {reason}.")


def shape_error(vendor: str, where: str) -> MarketDataUnavailable:
    return MarketDataUnavailable(f"{vendor} answered in a shape we do not understand ({where}).")


# -- requests ----------------------------------------------------------------------------------------


async def get_json(
    http: httpx.AsyncClient,
    url: str,
    *,
    vendor: str,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Any:
    """GET `url` and return its parsed JSON body; every failure is one of our errors (see module doc)."""
    return await request_json(
        http, "GET", url, vendor=vendor, params=params, headers=headers, timeout=timeout
    )


async def request_json(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    vendor: str,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    json_body: Any = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Any:
    request = http.build_request(
        method, url, params=params, headers=headers, json=json_body, timeout=httpx.Timeout(timeout)
    )
    try:
        # httpx's timeout bounds each phase (connect, each read); this bounds the whole exchange, so a
        # vendor dripping one byte at a time cannot hold a poll for longer than `timeout`.
        async with asyncio.timeout(timeout):
            response = await http.send(request)
    except (TimeoutError, httpx.TimeoutException):
        raise unavailable(vendor, f"no answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        # The exception text can carry the URL (and so a key in a query string): keep only its type.
        raise unavailable(vendor, f"could not reach it ({type(exc).__name__})") from None
    _check_status(response, vendor)
    return _parse_json(response.content, vendor)


def _check_status(response: httpx.Response, vendor: str) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    if status == 429:
        raise VendorRateLimited(vendor, retry_after_seconds(response.headers.get("Retry-After")))
    if status == 404:
        raise VendorNotFound(f"{vendor} has no data at that address (HTTP 404).")
    if status in (401, 403):
        raise unavailable(vendor, f"it refused our credentials (HTTP {status}); check its API key setting")
    if status >= 500:
        raise unavailable(vendor, f"it failed with HTTP {status}")
    raise unavailable(vendor, f"it refused the request with HTTP {status}")


def retry_after_seconds(header: str | None, now: datetime | None = None) -> int:
    """`Retry-After` as whole seconds: delta-seconds or an HTTP date; the default when absent or garbled."""
    if header is None or not header.strip():
        return DEFAULT_RETRY_AFTER
    text = header.strip()
    if text.isdigit():
        seconds = int(text)
    else:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return DEFAULT_RETRY_AFTER
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = int((when - (now or datetime.now(UTC))).total_seconds() + 0.999)
    return min(max(seconds, 1), MAX_RETRY_AFTER)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse_json(content: bytes, vendor: str) -> Any:
    try:
        # parse_float=Decimal: DexScreener and CoinGecko send JSON numbers, and a float would lose the
        # digits of a tiny memecoin price before we ever saw them.
        return json.loads(content, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise unavailable(vendor, "its answer was not valid JSON") from None


# -- shape checks ------------------------------------------------------------------------------------


def as_dict(value: Any, vendor: str, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise shape_error(vendor, f"{where} is not an object")
    return value


def as_list(value: Any, vendor: str, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise shape_error(vendor, f"{where} is not a list")
    return value


def dig(value: Any, *keys: str) -> Any:
    """`value[k1][k2]...`, or None as soon as a level is missing or not an object (optional fields)."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


# -- numbers -----------------------------------------------------------------------------------------


def to_decimal(value: Any) -> Decimal | None:
    """A vendor number (string, int or JSON float parsed as Decimal) or None when null or not a number.

    A field that is not a number counts as unknown rather than failing the whole batch: one odd token
    should not hide the prices of the 29 others.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def to_price(value: Any) -> Decimal | None:
    """A usable price: a positive number. Zero or negative means the vendor has no real price."""
    number = to_decimal(value)
    return number if number is not None and number > 0 else None


def to_count(value: Any) -> int | None:
    number = to_decimal(value)
    if number is None or number < 0 or number != number.to_integral_value():
        return None
    return int(number)


def sum_counts(*values: Any) -> int | None:
    """buys + sells, or None when either is unknown (half a count would read as a quiet market)."""
    counts = [to_count(value) for value in values]
    return None if any(count is None for count in counts) else sum(count or 0 for count in counts)


def pool_spelling(address: Any) -> str | None:
    """A vendor's pool id in EIP-55 spelling when it is an address; other ids (v4 pool hashes) as given.

    Checksums cost a pure-Python Keccak, but `to_checksum_address` caches them and pools repeat every poll.
    """
    if not isinstance(address, str) or not address:
        return None
    return to_checksum_address(address) if is_hex_address(address) else address


def utc_now() -> datetime:
    return datetime.now(UTC)


# -- the token universe ------------------------------------------------------------------------------


class VendorProvider(MarketProvider):
    """A vendor adapter over our curated universe: the app lists our tokens, the vendor supplies numbers.

    Subclasses set `name` (the tick's `source`), `vendor` (for messages) and `default_base_url`.
    They get a shared, pooled `httpx.AsyncClient` from the service and never create their own.
    """

    vendor: str
    default_base_url: str

    def __init__(
        self,
        http: httpx.AsyncClient,
        tokens: Sequence[Token],
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._http = http
        self._tokens = list(tokens)
        self._by_key = {token.address.lower(): token for token in self._tokens}
        self._base_url = (base_url or self.default_base_url).rstrip("/")
        self._api_key = api_key
        self._timeout = timeout

    async def list_tokens(self) -> list[Token]:
        return list(self._tokens)

    def _batch(self, addresses: Sequence[str]) -> dict[str, Token]:
        """Lowercase key -> our token for a price batch, in order; TooManyTokens, InvalidAddress or
        UnknownToken before any call. Keys are also how vendors spell addresses, so they go in URLs."""
        return {key: self._known(key) for key in check_price_batch(addresses)}

    def _candle_token(self, address: str, limit: int) -> Token:
        check_candle_limit(limit)
        return self._known(address_key(address))

    def _known(self, key: str) -> Token:
        token = self._by_key.get(key)
        if token is None:
            raise UnknownToken(key)
        return token

    async def _get(
        self, url: str, params: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None
    ) -> Any:
        return await get_json(
            self._http, url, vendor=self.vendor, params=params, headers=headers, timeout=self._timeout
        )


def asked(batch: Mapping[str, Token], vendor_address: Any) -> Token | None:
    """Our token for an address in a vendor's answer (any case), or None for one we did not ask about:
    a vendor answering for extra tokens must not slip unrequested (or unlisted) ticks into the batch."""
    return batch.get(vendor_address.lower()) if isinstance(vendor_address, str) else None
