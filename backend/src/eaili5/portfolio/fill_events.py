"""The domain event every practice fill raises (market orders and triggered waiting orders alike).

Learning listens (hints after a costly or risky trade, the first-practice-trade badge). Published only
after the fill's transaction has committed; a failure here never undoes or fails the trade.
"""

from __future__ import annotations

import uuid

from eaili5.core.events import EventBus, PracticeTradeFilled
from eaili5.market.risk import risk_codes
from eaili5.market.schemas import PriceTick
from eaili5.market.service import MarketService
from eaili5.models.base import utcnow
from eaili5.portfolio.schemas import TradeOut


async def publish_practice_fill(
    events: EventBus,
    market: MarketService,
    user_id: uuid.UUID,
    trade: TradeOut,
    tick: PriceTick | None = None,
) -> None:
    """`tick`: the one the fill was priced at, when at hand (else the board's latest is read)."""
    token = market.token(trade.token)
    if tick is None:
        tick = (await market.ticks()).get(trade.token.lower())
    flags = risk_codes(token, tick, utcnow().date(), market.thresholds)
    event = PracticeTradeFilled(
        user_id, token.address, trade.symbol, trade.side, trade.price_impact_pct, tuple(flags)
    )
    await events.publish(event)
