"""Throttled value updates on `portfolio:<user id>` while someone watches.

Every instance looks at its own sockets: for each user with a socket on their portfolio channel it
sends `{"event": "value", ...}` when the value changed, at most once every
`portfolio_value_update_seconds` per user for the whole deployment (a KV key with that TTL is
claimed first, so two instances serving the same user do not both send). Nothing is computed for
users nobody is watching. It only reads, so there is no commit to wait for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from eaili5.core.db import Database
from eaili5.core.kv import KV
from eaili5.models.portfolio import STARTING_BALANCE_USD
from eaili5.portfolio import equity, repository
from eaili5.portfolio.pricing import USD_SCALE, even
from eaili5.portfolio.service import PERCENT_SCALE, PortfolioService
from eaili5.realtime.hub import Hub

logger = logging.getLogger(__name__)
PREFIX = "portfolio:"


class ValueUpdates:
    def __init__(self, db: Database, service: PortfolioService, hub: Hub, kv: KV) -> None:
        self.db, self.service, self.hub, self.kv = db, service, hub, kv
        self.interval = service.settings.portfolio_value_update_seconds
        self._last_sent: dict[uuid.UUID, Decimal] = {}

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await self.send_once()
            except Exception:
                logger.warning("portfolio value updates failed; will retry", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), self.interval)

    def watched(self) -> set[uuid.UUID]:
        """Users with a socket on their portfolio channel on this instance."""
        users = set()
        for connection in list(self.hub.connections.values()):
            for channel in connection.channels:
                if channel.startswith(PREFIX):
                    with contextlib.suppress(ValueError):
                        users.add(uuid.UUID(channel[len(PREFIX) :]))
        return users

    async def send_once(self) -> int:
        watched = self.watched()
        self._last_sent = {user: value for user, value in self._last_sent.items() if user in watched}
        if not watched:
            return 0
        ticks = await self.service.market.ticks()
        sent = 0
        for user_id in watched:
            async with self.db.transaction() as db:
                portfolio = await repository.current_portfolio(db, user_id)
                if portfolio is None:
                    continue
                value = await equity.valuation(db, portfolio.id, portfolio.balance, ticks)
            total = even(value.total, USD_SCALE)
            if self._last_sent.get(user_id) == total:
                continue
            if not await self.kv.set_if_absent(f"portfolio:value-sent:{user_id}", b"1", self.interval * 0.9):
                continue
            self._last_sent[user_id] = total
            await self.hub.publish(
                f"{PREFIX}{user_id}",
                {
                    "event": "value",
                    "run": portfolio.run,
                    "cash_usd": format(even(value.cash, USD_SCALE), "f"),
                    "holdings_value_usd": format(even(value.holdings, USD_SCALE), "f"),
                    "total_value_usd": format(total, "f"),
                    "total_return_pct": format(
                        even((total - STARTING_BALANCE_USD) / STARTING_BALANCE_USD * 100, PERCENT_SCALE), "f"
                    ),
                    "as_of": datetime.now(UTC).isoformat(),
                },
            )
            sent += 1
        return sent
