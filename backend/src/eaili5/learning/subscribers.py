"""What learning does when other domains publish events (each handler runs in its own transaction).

A practice fill usually needs nothing written: the trader already has the first-practice-trade badge
and the trade deserves no hint. Each process remembers the users it has seen holding that badge in
committed data (a badge is never taken away; a merged guest's row is deleted with its id), so those
fills cost no SQL at all; the database stays the authority for everyone else.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.core.events import EventBus, PracticeTradeFilled
from eaili5.learning import repository, rules
from eaili5.models import LearningHint
from eaili5.models.base import utcnow

HINT_LESSON = "dex-liquidity-and-price-impact"
HINT_PATH = rules.SCAMS_PATH
HIGH_IMPACT_PCT = Decimal(1)
TRADE_BADGE = "first-practice-trade"
MAX_REMEMBERED = 100_000  # user ids (~100 bytes each); forgotten all at once when full

_has_trade_badge: set[uuid.UUID] = set()


def _remember_badge(user_id: uuid.UUID) -> None:
    if len(_has_trade_badge) >= MAX_REMEMBERED:
        _has_trade_badge.clear()
    _has_trade_badge.add(user_id)


def subscribe_learning(events: EventBus) -> None:
    events.subscribe(PracticeTradeFilled, on_practice_trade_filled)


async def on_practice_trade_filled(db: AsyncSession, event: PracticeTradeFilled) -> None:
    """A practice trade: the first-practice-trade badge, and hints from how the trade went."""
    hints = trade_hints(event)
    if not hints and event.user_id in _has_trade_badge:
        return  # nothing to write
    if not await repository.lock_learner(db, event.user_id):
        return  # the user is gone
    now = utcnow()
    if TRADE_BADGE in await repository.badges(db, event.user_id):
        # Read under the learner lock, so committed by an earlier transaction: safe to remember (a
        # badge added below is not, until this transaction commits).
        _remember_badge(event.user_id)
    else:
        await repository.add_badge(db, event.user_id, TRADE_BADGE, now)
    for reason, kind, target, sentence in hints:
        hint = LearningHint(
            user_id=event.user_id,
            reason=reason,
            target_kind=kind,
            target=target,
            detail=sentence,
            created_at=now,
        )
        await repository.save_hint(db, hint)


def trade_hints(event: PracticeTradeFilled) -> list[tuple[str, str, str, str]]:
    """(reason, target kind, target, sentence) for each hint a fill deserves."""
    hints = []
    if event.price_impact_pct > HIGH_IMPACT_PCT:
        impact = format(event.price_impact_pct.quantize(Decimal("0.01")), "f")
        hints.append(
            (
                "high_price_impact",
                "lesson",
                HINT_LESSON,
                f"Your practice trade of {event.symbol} moved its price by {impact}%. "
                "See why small pools do that.",
            )
        )
    if event.side == "buy" and event.risk_flags:
        hints.append(
            (
                "risky_token",
                "path",
                HINT_PATH,
                f"You bought {event.symbol}, which has warning signs. Learn how to spot a scam token.",
            )
        )
    return hints
