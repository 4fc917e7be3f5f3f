"""The outside world failing, for every adapter: each failure arrives as one of our errors."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import httpx
import pytest

from eaili5.market.errors import MarketDataUnavailable
from eaili5.market.providers.bitquery import BitqueryProvider
from eaili5.market.providers.coingecko import CoinGeckoProvider
from eaili5.market.providers.dexscreener import DexScreenerProvider
from eaili5.market.providers.geckoterminal import GeckoTerminalProvider
from eaili5.market.providers.http import (
    DEFAULT_RETRY_AFTER,
    VendorProvider,
    VendorRateLimited,
    retry_after_seconds,
)
from eaili5.market.schemas import Timeframe
from tests.market.providers.loopback import HANG, MALFORMED, RATE_LIMITED, SERVER_ERROR, LoopbackVendor, Reply
from tests.market.providers.tokens import TOKENS, WETH

SECRET = "sk-never-in-messages"
Factory = Callable[[str, httpx.AsyncClient, float], VendorProvider]
Call = Callable[[VendorProvider], Awaitable[object]]

FACTORIES: dict[str, Factory] = {
    "geckoterminal": lambda url, http, timeout: GeckoTerminalProvider(http, TOKENS, url, timeout=timeout),
    "dexscreener": lambda url, http, timeout: DexScreenerProvider(http, TOKENS, url, timeout=timeout),
    "coingecko": lambda url, http, timeout: CoinGeckoProvider(
        http, TOKENS, url, api_key=SECRET, timeout=timeout
    ),
    "bitquery": lambda url, http, timeout: BitqueryProvider(
        http, TOKENS, url, api_key=SECRET, timeout=timeout
    ),
}
VENDOR_NAMES = {
    "geckoterminal": "GeckoTerminal",
    "dexscreener": "DexScreener",
    "coingecko": "CoinGecko",
    "bitquery": "Bitquery",
}


def prices(market: VendorProvider) -> Awaitable[object]:
    return market.get_prices([WETH])


def candles(market: VendorProvider) -> Awaitable[object]:
    return market.get_candles(WETH, Timeframe.H1, 10)


CALLS: list[tuple[str, Call]] = [(name, prices) for name in FACTORIES] + [
    ("geckoterminal", candles),
    ("bitquery", candles),
]
CALL_IDS = [f"{name}-{call.__name__}" for name, call in CALLS]


def build(name: str, vendor: LoopbackVendor, http: httpx.AsyncClient, timeout: float = 5.0) -> VendorProvider:
    return FACTORIES[name](vendor.url, http, timeout)


@pytest.mark.parametrize(("name", "call"), CALLS, ids=CALL_IDS)
async def test_429_is_rate_limited_with_retry_after(
    vendor: LoopbackVendor, http: httpx.AsyncClient, name: str, call: Call
) -> None:
    vendor.fail_next(RATE_LIMITED)
    with pytest.raises(VendorRateLimited) as caught:
        await call(build(name, vendor, http))
    assert caught.value.retry_after == 17
    assert caught.value.status_code == 502 and caught.value.kind == "VendorRateLimited"
    assert VENDOR_NAMES[name] in caught.value.detail
    assert isinstance(caught.value, MarketDataUnavailable)


@pytest.mark.parametrize(("name", "call"), CALLS, ids=CALL_IDS)
async def test_429_without_retry_after_waits_the_default(
    vendor: LoopbackVendor, http: httpx.AsyncClient, name: str, call: Call
) -> None:
    vendor.fail_next(Reply(429, "Too Many Requests", {"Content-Type": "text/plain"}))
    with pytest.raises(VendorRateLimited) as caught:
        await call(build(name, vendor, http))
    assert caught.value.retry_after == DEFAULT_RETRY_AFTER


@pytest.mark.parametrize(("name", "call"), CALLS, ids=CALL_IDS)
@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (SERVER_ERROR, "HTTP 500"),
        (Reply(503, "<html>upstream down</html>", {"Content-Type": "text/html"}), "HTTP 503"),
        (Reply(400, {"error": "bad"}), "HTTP 400"),
        (MALFORMED, "not valid JSON"),
        (Reply(200, b"NaN"), "not valid JSON"),
        (Reply(200, b""), "not valid JSON"),
    ],
    ids=["500", "503-html", "400", "truncated-json", "nan", "empty"],
)
async def test_vendor_failures_are_market_data_unavailable(
    vendor: LoopbackVendor, http: httpx.AsyncClient, name: str, call: Call, reply: Reply, reason: str
) -> None:
    vendor.fail_next(reply)
    with pytest.raises(MarketDataUnavailable) as caught:
        await call(build(name, vendor, http))
    assert not isinstance(caught.value, VendorRateLimited)
    assert VENDOR_NAMES[name] in caught.value.detail and reason in caught.value.detail
    assert SECRET not in caught.value.detail and "127.0.0.1" not in caught.value.detail


@pytest.mark.parametrize(("name", "call"), CALLS, ids=CALL_IDS)
async def test_a_hanging_vendor_times_out(
    vendor: LoopbackVendor, http: httpx.AsyncClient, name: str, call: Call
) -> None:
    vendor.fail_next(HANG)
    started = time.monotonic()
    with pytest.raises(MarketDataUnavailable, match=r"no answer within 0\.2 s"):
        await call(build(name, vendor, http, timeout=0.2))
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(("name", "call"), CALLS, ids=CALL_IDS)
async def test_an_unreachable_vendor_is_unavailable(
    vendor: LoopbackVendor, http: httpx.AsyncClient, name: str, call: Call
) -> None:
    await vendor.stop()  # nothing listens on the port any more
    with pytest.raises(MarketDataUnavailable, match="could not reach it") as caught:
        await call(build(name, vendor, http))
    assert "127.0.0.1" not in caught.value.detail


async def test_the_client_survives_a_failure(vendor: LoopbackVendor, http: httpx.AsyncClient) -> None:
    """After a timeout the shared pooled client still works for the next call."""
    vendor.route("GET", r"/tokens/v1/base/.*", Reply(200, []))
    vendor.fail_next(HANG)
    market = build("dexscreener", vendor, http, timeout=0.2)
    with pytest.raises(MarketDataUnavailable):
        await market.get_prices([WETH])
    assert await market.get_prices([WETH]) == {}


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, 60),
        ("", 60),
        ("30", 30),
        ("0", 1),
        ("999999", 3600),
        ("soon", 60),
        ("-5", 60),
        ("Thu, 26 Nov 2026 12:01:30 GMT", 90),
        ("Thu, 26 Nov 2026 11:00:00 GMT", 1),
    ],
)
def test_retry_after_header_forms(header: str | None, seconds: int) -> None:
    now = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(header, now) == seconds
