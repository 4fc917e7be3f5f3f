"""Moving a guest's data into an existing wallet user, inside the sign-in transaction.

Rules (issue 7): conversations and their messages move; learning keeps the best of both without paying
anything twice (the XP ledger's keys are unique per user, so an award both earned is kept once, the
wallet's); quiz attempts move and are renumbered after the wallet's; review cards, badges, activity days
and hints move unless the wallet already has the same one; the wallet user's current portfolio stays
current and the guest's runs become archived runs of the wallet user (their open orders cancelled).
Whatever is left on the guest goes with the guest's row (ON DELETE CASCADE).

This touches tables owned by other domains. It lives here, as plain SQL over their models, because the
merge must be one transaction decided in one place; `MERGED_TABLES` lists every table holding per-user
data and a test fails when a new one appears without a rule here.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.models import (
    ActivityDay,
    Conversation,
    LearningHint,
    Message,
    Order,
    Portfolio,
    QuizAnswer,
    QuizAttempt,
    ReviewCard,
    Session,
    Trade,
    User,
    UserBadge,
    UserProgress,
    XpAward,
)
from eaili5.models.base import utcnow

# Table → what the merge does with the guest's rows (documentation, and checked by a test).
MERGED_TABLES = {
    "conversations": "moved",
    "messages": "moved",
    "user_progress": "merged per lesson: completed if either, best score",
    "xp_awards": "moved unless the wallet has the same key (no double XP)",
    "quiz_attempts": "moved, numbered after the wallet's attempts",
    "quiz_answers": "moved with their attempts",
    "review_cards": "moved unless the wallet has the same card (the more recently reviewed one stays)",
    "user_badges": "moved unless the wallet has the badge (earliest earned_at kept)",
    "activity_days": "moved unless the wallet learned that day too",
    "learning_hints": "moved unless the wallet has the same hint",
    "portfolios": "moved as archived runs; the wallet's current run stays current",
    "holdings": "follow their portfolio",
    "equity_snapshots": "follow their portfolio",
    "trades": "moved (idempotency keys made unique)",
    "orders": "moved (open orders of archived runs cancelled)",
    "sessions": "the guest's session is replaced by a new wallet session",
    "users": "the guest row is deleted after the move; preferences the wallet never set are copied",
}
# Column of `users` → what the merge does with the guest's value (checked by a test like the tables).
MERGED_USER_COLUMNS = {
    "id": "the wallet user's id stays; the guest's row is deleted",
    "created_at": "the wallet user's",
    "updated_at": "the wallet user's",
    "wallet_address": "the wallet user's (a guest has none)",
    "preferences": "the wallet user's, plus the ones it never set, from the guest",
    "farcaster_fid": "moved when the wallet user has none; else the wallet user's stays, the guest's unlinks",
}
_TEMPORARY_RUN_OFFSET = 1_000_000


async def lock_user(db: AsyncSession, user_id: uuid.UUID) -> bool:
    """Serialize with the learning and portfolio writers, which lock the user's row the same way."""
    result = await db.execute(
        update(User)
        .where(User.id == user_id)
        .values(updated_at=User.updated_at)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


async def merge_guest_into(db: AsyncSession, guest_id: uuid.UUID, wallet_id: uuid.UUID) -> None:
    now = utcnow()
    await _move_conversations(db, guest_id, wallet_id)
    await _merge_progress(db, guest_id, wallet_id)
    await _move_quiz_attempts(db, guest_id, wallet_id)
    await _move_xp(db, guest_id, wallet_id)
    await _move_unless_present(db, ReviewCard, guest_id, wallet_id, ("kind", "ref"))
    await _keep_fresher_review_cards(db, guest_id, wallet_id)
    await _merge_badges(db, guest_id, wallet_id)
    await _move_unless_present(db, ActivityDay, guest_id, wallet_id, ("day",))
    await _move_unless_present(db, LearningHint, guest_id, wallet_id, ("reason", "target"))
    await _move_portfolios(db, guest_id, wallet_id, now)
    await _copy_unset_preferences(db, guest_id, wallet_id)
    await _move_farcaster_fid(db, guest_id, wallet_id)
    await db.execute(delete(Session).where(Session.user_id == guest_id))
    await db.execute(delete(User).where(User.id == guest_id))


async def _move_conversations(db: AsyncSession, guest_id: uuid.UUID, wallet_id: uuid.UUID) -> None:
    await db.execute(update(Conversation).where(Conversation.user_id == guest_id).values(user_id=wallet_id))
    await db.execute(update(Message).where(Message.user_id == guest_id).values(user_id=wallet_id))


async def _merge_progress(db: AsyncSession, guest_id: uuid.UUID, wallet_id: uuid.UUID) -> None:
    """One row per lesson: done if either finished it, the better score kept."""
    guest_rows = (await db.scalars(select(UserProgress).where(UserProgress.user_id == guest_id))).all()
    wallet_rows = {
        row.topic: row
        for row in await db.scalars(select(UserProgress).where(UserProgress.user_id == wallet_id))
    }
    for row in guest_rows:
        mine = wallet_rows.get(row.topic)
        if mine is None:
            row.user_id = wallet_id
            continue
        mine.completed = mine.completed or row.completed
        mine.score = max(mine.score, row.score)
        await db.delete(row)
    await db.flush()


async def _move_quiz_attempts(db: AsyncSession, guest_id: uuid.UUID, wallet_id: uuid.UUID) -> None:
    """Attempt numbers are unique per (user, lesson): the guest's follow the wallet's."""
    highest = dict(
        (
            await db.execute(
                select(QuizAttempt.lesson_id, func.max(QuizAttempt.number))
                .where(QuizAttempt.user_id == wallet_id)
                .group_by(QuizAttempt.lesson_id)
            )
        ).all()
    )
    attempts = (
        await db.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == guest_id)
            .order_by(QuizAttempt.lesson_id, QuizAttempt.number)
        )
    ).all()
    for attempt in attempts:
        highest[attempt.lesson_id] = highest.get(attempt.lesson_id, 0) + 1
        attempt.user_id = wallet_id
        attempt.number = highest[attempt.lesson_id]
        await db.flush()  # one row at a time: no transient clash with the unique number
    await db.execute(update(QuizAnswer).where(QuizAnswer.user_id == guest_id).values(user_id=wallet_id))


async def _move_xp(db: AsyncSession, guest_id: uuid.UUID, wallet_id: uuid.UUID) -> None:
    await _move_unless_present(db, XpAward, guest_id, wallet_id, ("key",))


async def _move_unless_present(
    db: AsyncSession, model: Any, guest_id: uuid.UUID, wallet_id: uuid.UUID, natural_key: tuple[str, ...]
) -> None:
    """Move the guest's rows whose natural key the wallet user does not have; the rest stay behind
    on the guest and go with it."""
    columns = [getattr(model, name) for name in natural_key]
    taken = {
        tuple(row) for row in (await db.execute(select(*columns).where(model.user_id == wallet_id))).all()
    }
    for row in (await db.scalars(select(model).where(model.user_id == guest_id))).all():
        if tuple(getattr(row, name) for name in natural_key) not in taken:
            row.user_id = wallet_id
    await db.flush()


async def _keep_fresher_review_cards(db: AsyncSession, guest_id: uuid.UUID, wallet_id: uuid.UUID) -> None:
    """Where both had the same card, keep the scheduling state of the one reviewed last."""
    leftovers = (await db.scalars(select(ReviewCard).where(ReviewCard.user_id == guest_id))).all()
    for guest_card in leftovers:
        wallet_card = await db.scalar(
            select(ReviewCard).where(
                ReviewCard.user_id == wallet_id,
                ReviewCard.kind == guest_card.kind,
                ReviewCard.ref == guest_card.ref,
            )
        )
        if wallet_card is None or not _reviewed_later(guest_card, wallet_card):
            continue
        wallet_card.fsrs, wallet_card.due = guest_card.fsrs, guest_card.due
        wallet_card.last_reviewed_at = guest_card.last_reviewed_at
        wallet_card.reviews = max(wallet_card.reviews, guest_card.reviews)
    await db.flush()


def _reviewed_later(card: ReviewCard, other: ReviewCard) -> bool:
    if card.last_reviewed_at is None:
        return False
    return other.last_reviewed_at is None or card.last_reviewed_at > other.last_reviewed_at


async def _merge_badges(db: AsyncSession, guest_id: uuid.UUID, wallet_id: uuid.UUID) -> None:
    wallet = {b.badge: b for b in await db.scalars(select(UserBadge).where(UserBadge.user_id == wallet_id))}
    for badge in (await db.scalars(select(UserBadge).where(UserBadge.user_id == guest_id))).all():
        mine = wallet.get(badge.badge)
        if mine is None:
            badge.user_id = wallet_id
        elif badge.earned_at < mine.earned_at:
            mine.earned_at = badge.earned_at
    await db.flush()


async def _move_portfolios(
    db: AsyncSession, guest_id: uuid.UUID, wallet_id: uuid.UUID, now: datetime
) -> None:
    """The wallet's current run stays current (and last); the guest's runs slot in before it, archived.
    A wallet user who never traded takes the guest's current run as theirs."""
    order = (Portfolio.run,)
    wallet_runs = (
        await db.scalars(select(Portfolio).where(Portfolio.user_id == wallet_id).order_by(*order))
    ).all()
    guest_runs = (
        await db.scalars(select(Portfolio).where(Portfolio.user_id == guest_id).order_by(*order))
    ).all()
    if not guest_runs:
        return
    wallet_current = [p for p in wallet_runs if p.archived_at is None]
    if wallet_current:
        for portfolio in guest_runs:
            if portfolio.archived_at is None:
                portfolio.archived_at = now
                await _cancel_open_orders(db, portfolio.id, now)
    ordered = [p for p in wallet_runs if p.archived_at is not None] + list(guest_runs) + wallet_current
    # Two passes keep (user_id, run) unique at every step, on PostgreSQL's per-row checks too.
    for number, portfolio in enumerate(ordered, start=1):
        portfolio.user_id, portfolio.run = wallet_id, _TEMPORARY_RUN_OFFSET + number
        await db.flush()
    for number, portfolio in enumerate(ordered, start=1):
        portfolio.run = number
        await db.flush()
    await _move_keyed_rows(db, Trade, guest_id, wallet_id)
    await _move_keyed_rows(db, Order, guest_id, wallet_id)


async def _cancel_open_orders(db: AsyncSession, portfolio_id: uuid.UUID, now: datetime) -> None:
    await db.execute(
        update(Order)
        .where(Order.portfolio_id == portfolio_id, Order.status == "open")
        .values(status="cancelled", closed_at=now, updated_at=now)
    )


async def _move_keyed_rows(db: AsyncSession, model: Any, guest_id: uuid.UUID, wallet_id: uuid.UUID) -> None:
    """Idempotency keys are unique per user: a guest key the wallet also used gets a merge prefix."""
    used = set(await db.scalars(select(model.idempotency_key).where(model.user_id == wallet_id)))
    for row in (await db.scalars(select(model).where(model.user_id == guest_id))).all():
        if row.idempotency_key in used:
            row.idempotency_key = f"merged-{uuid.uuid4().hex[:12]}-{row.idempotency_key}"[:100]
        row.user_id = wallet_id
    await db.flush()


async def _copy_unset_preferences(db: AsyncSession, guest_id: uuid.UUID, wallet_id: uuid.UUID) -> None:
    guest = await db.get(User, guest_id)
    wallet = await db.get(User, wallet_id)
    if guest is None or wallet is None:
        return
    merged = {**(guest.preferences or {}), **(wallet.preferences or {})}
    if merged != (wallet.preferences or {}):
        wallet.preferences = merged
    await db.flush()


async def _move_farcaster_fid(db: AsyncSession, guest_id: uuid.UUID, wallet_id: uuid.UUID) -> None:
    """A guest's linked FID follows it unless the wallet user has one (one FID per user: theirs wins,
    as their portfolio does)."""
    guest = await db.get(User, guest_id)
    wallet = await db.get(User, wallet_id)
    if guest is None or wallet is None or guest.farcaster_fid is None or wallet.farcaster_fid is not None:
        return
    fid, guest.farcaster_fid = guest.farcaster_fid, None
    await db.flush()  # the FID is unique: free it before the wallet user takes it
    wallet.farcaster_fid = fid
    await db.flush()
