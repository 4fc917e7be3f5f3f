"""Spaced review with FSRS: card state in and out as JSON, one scheduler for the process.

A missed quiz question becomes a card due at once (retry it now, then again later); a glossary term
the user looked up becomes a card due a day later. Question cards are graded on the server: right is
FSRS "Good", wrong is "Again"; term cards take the user's own rating.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from fsrs import Card, Rating, Scheduler

from eaili5.learning.schemas import Rating as RatingName

TERM_FIRST_REVIEW_AFTER = timedelta(days=1)
RATINGS = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}

# Fuzzing spreads cards that were learned together over nearby days, as FSRS recommends.
_SCHEDULER = Scheduler(desired_retention=0.9, enable_fuzzing=True)


def new_card(due: datetime) -> dict[str, Any]:
    # Our row id identifies the card; an explicit card_id also skips fsrs's 1 ms sleep for a unique one.
    return cast(dict[str, Any], Card(card_id=0, due=due).to_dict())


def reschedule(state: dict[str, Any], rating: RatingName, now: datetime) -> tuple[dict[str, Any], datetime]:
    """The card after a review at `now`: (new state, when it is due next)."""
    card, _ = _SCHEDULER.review_card(Card.from_dict(cast(Any, state)), RATINGS[rating], now)
    return cast(dict[str, Any], card.to_dict()), card.due
