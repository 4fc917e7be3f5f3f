"""A tiny in-process domain event bus (`state.events`).

A domain publishes an event AFTER its transaction has committed, so subscribers never see work that
is later rolled back. Each subscriber runs as a background task with its own database transaction;
a failure is logged and rolled back, never raised into the publisher. Events are in-process and
best-effort: an instance that stops drops what it has not handled yet (nothing here is money).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.core.db import Database

logger = logging.getLogger(__name__)

E = TypeVar("E")
Handler = Callable[[AsyncSession, Any], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class PracticeTradeFilled:
    """A play-money market order was filled (published by the portfolio)."""

    user_id: uuid.UUID
    token_address: str
    symbol: str
    side: str  # "buy" | "sell"
    price_impact_pct: Decimal
    risk_flags: tuple[str, ...] = ()  # risk flag codes of the token at fill time


@dataclass
class EventBus:
    db: Database
    _handlers: dict[type[Any], list[Handler]] = field(default_factory=dict)
    _pending: set[asyncio.Task[None]] = field(default_factory=set)

    def subscribe(self, event_type: type[E], handler: Callable[[AsyncSession, E], Awaitable[None]]) -> None:
        self._handlers.setdefault(event_type, []).append(handler)

    async def publish(self, event: object) -> None:
        """Schedule every subscriber of the event's type and return at once."""
        for handler in self._handlers.get(type(event), []):
            task = asyncio.create_task(self._run(handler, event), name=f"event:{type(event).__name__}")
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _run(self, handler: Handler, event: object) -> None:
        try:
            async with self.db.transaction() as session:
                await handler(session, event)
        except Exception:
            logger.exception(
                "event subscriber failed", extra={"event": type(event).__name__, "handler": handler.__name__}
            )

    async def drain(self) -> None:
        """Wait for the subscribers already scheduled (shutdown, and tests that check their effects)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)
