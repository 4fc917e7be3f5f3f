"""What the app holds for its lifetime, built once at start-up from settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from eaili5.core.db import Database
from eaili5.core.events import EventBus
from eaili5.core.kv import KV
from eaili5.core.metrics import Metrics
from eaili5.core.settings import Settings

if TYPE_CHECKING:
    import httpx

    from eaili5.auth.service import SessionCache
    from eaili5.market.service import MarketService
    from eaili5.realtime.hub import Hub


@dataclass
class AppState:
    settings: Settings
    db: Database
    kv: KV
    metrics: Metrics
    hub: Hub
    http: httpx.AsyncClient  # one pooled client for every vendor call
    market: MarketService
    session_cache: SessionCache  # resolved sessions, this process only (auth/service.py)
    # Domain events (published after commit); built from `db`, so callers need not pass it.
    events: EventBus = field(init=False)
    # The tutor's start-up warm-up (app.py): "warming" until it ends, then "ok" or "failed: <kind>".
    # /readyz answers 503 while warming, so no request shares the CPU with two seconds of index building.
    warm_up: str = field(init=False, default="warming")

    def __post_init__(self) -> None:
        self.events = EventBus(self.db)
