"""Market data providers: one interface (`base.MarketProvider`), one module per source."""

from eaili5.market.providers.base import MAX_CANDLES_PER_CALL, MAX_PRICES_PER_CALL, MarketProvider

__all__ = ["MAX_CANDLES_PER_CALL", "MAX_PRICES_PER_CALL", "MarketProvider"]
