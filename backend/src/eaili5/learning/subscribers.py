"""What learning does when other domains publish events."""

from __future__ import annotations

from eaili5.core.events import EventBus, PracticeTradeFilled
from eaili5.learning.service import on_practice_trade_filled


def subscribe_learning(events: EventBus) -> None:
    events.subscribe(PracticeTradeFilled, on_practice_trade_filled)
