"""Build the chain of market providers from settings (EAILI5_MARKET_SOURCES)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import httpx

from eaili5.core.settings import Settings
from eaili5.market.providers.base import MarketProvider
from eaili5.market.providers.bitquery import BitqueryProvider
from eaili5.market.providers.coingecko import CoinGeckoProvider
from eaili5.market.providers.dexscreener import DexScreenerProvider
from eaili5.market.providers.geckoterminal import GeckoTerminalProvider
from eaili5.market.providers.simulated import SimulatedMarket
from eaili5.market.schemas import Token
from eaili5.market.snapshot import load_snapshot_tokens


def build_providers(
    settings: Settings, http: httpx.AsyncClient, tokens: Sequence[Token]
) -> list[MarketProvider]:
    names = settings.market_sources or ["simulated"]
    return [_build(name, settings, http, tokens) for name in names]


def _build(name: str, settings: Settings, http: httpx.AsyncClient, tokens: Sequence[Token]) -> MarketProvider:
    if name == "simulated":
        if tokens is load_snapshot_tokens():
            return _shared_simulated_market(settings.market_seed)
        return SimulatedMarket(seed=settings.market_seed, tokens=tokens)
    secret = {"coingecko": settings.coingecko_api_key, "bitquery": settings.bitquery_api_key}.get(name)
    api_key = secret.get_secret_value() if secret is not None else None
    if name == "geckoterminal":
        return GeckoTerminalProvider(http, tokens, base_url=settings.geckoterminal_base_url)
    if name == "dexscreener":
        return DexScreenerProvider(http, tokens, base_url=settings.dexscreener_base_url)
    if name == "coingecko":
        return CoinGeckoProvider(http, tokens, base_url=settings.coingecko_base_url, api_key=api_key)
    if name == "bitquery":
        return BitqueryProvider(http, tokens, base_url=settings.bitquery_url, api_key=api_key)
    raise ValueError(f"unknown market source {name!r}")  # settings validation makes this unreachable


@cache
def _shared_simulated_market(seed: int) -> SimulatedMarket:
    # Prices are a pure function of (seed, token, time), so one instance per process can serve every
    # app built in it, and its warm path caches are not rebuilt each time.
    return SimulatedMarket(seed=seed, tokens=load_snapshot_tokens())
