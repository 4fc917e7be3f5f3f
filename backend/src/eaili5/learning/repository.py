"""All learning SQL. Functions only flush; the request (or event subscriber) owns the transaction.

Writes for one learner are serialized by `lock_learner` (a no-op UPDATE of the user's row: a row
lock on PostgreSQL, the database write lock on SQLite), taken before anything is read. The unique
constraints (XP keys, one answer per question per attempt, ...) are the last line behind it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.models import (
    ActivityDay,
    LearningHint,
    QuizAnswer,
    QuizAttempt,
    ReviewCard,
    User,
    UserBadge,
    UserProgress,
    XpAward,
)


async def lock_learner(db: AsyncSession, user_id: uuid.UUID) -> bool:
    result = await db.execute(
        update(User)
        .where(User.id == user_id)
        .values(updated_at=User.updated_at)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


async def lock_learner_preferences(db: AsyncSession, user_id: uuid.UUID) -> dict[str, Any] | None:
    """`lock_learner` that also reads the user's preferences in the same statement (one round trip
    instead of two on every write). None when the user does not exist."""
    result = await db.execute(
        update(User)
        .where(User.id == user_id)
        .values(updated_at=User.updated_at)
        .returning(User.preferences)
        .execution_options(synchronize_session=False)
    )
    row = result.first()
    return None if row is None else dict(row[0] or {})


async def get_user(db: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await db.get(User, user_id)


# --- lesson progress (the seed's user_progress: topic = lesson id) --------------------------------
async def progress(db: AsyncSession, user_id: uuid.UUID) -> dict[str, UserProgress]:
    rows = await db.scalars(select(UserProgress).where(UserProgress.user_id == user_id))
    return {row.topic: row for row in rows}


async def progress_and_finished(db: AsyncSession, user_id: uuid.UUID) -> list[tuple[UserProgress, bool]]:
    """Every lesson progress row with whether that lesson has a finished quiz attempt, in one query."""
    finished = (
        select(QuizAttempt.id)
        .where(
            QuizAttempt.user_id == UserProgress.user_id,
            QuizAttempt.lesson_id == UserProgress.topic,
            QuizAttempt.finished_at.is_not(None),
        )
        .exists()
    )
    rows = await db.execute(select(UserProgress, finished).where(UserProgress.user_id == user_id))
    return [(row, bool(has_finished)) for row, has_finished in rows.all()]


@dataclass(frozen=True, slots=True)
class LessonState:
    completed: bool
    score: int | None  # best score, None without a progress row
    attempts: int
    finished_attempts: int
    open_attempt_id: uuid.UUID | None  # the newest unfinished attempt


async def lesson_state(db: AsyncSession, user_id: uuid.UUID, lesson_id: str) -> LessonState:
    """What the lesson page shows about the learner, in one round trip (scalar subqueries)."""
    progress = (UserProgress.user_id == user_id, UserProgress.topic == lesson_id)
    attempts = (QuizAttempt.user_id == user_id, QuizAttempt.lesson_id == lesson_id)
    row = (
        await db.execute(
            select(
                select(UserProgress.completed).where(*progress).scalar_subquery(),
                select(UserProgress.score).where(*progress).scalar_subquery(),
                select(func.count()).select_from(QuizAttempt).where(*attempts).scalar_subquery(),
                select(func.count(QuizAttempt.finished_at)).where(*attempts).scalar_subquery(),
                select(QuizAttempt.id)
                .where(*attempts, QuizAttempt.finished_at.is_(None))
                .order_by(QuizAttempt.number.desc())
                .limit(1)
                .scalar_subquery(),
            )
        )
    ).one()
    completed, score, count, finished, open_id = row
    return LessonState(bool(completed), score, int(count or 0), int(finished or 0), open_id)


async def lesson_progress(db: AsyncSession, user_id: uuid.UUID, lesson_id: str) -> UserProgress | None:
    return await db.scalar(
        select(UserProgress).where(UserProgress.user_id == user_id, UserProgress.topic == lesson_id)
    )


async def save_progress(
    db: AsyncSession, user_id: uuid.UUID, lesson_id: str, *, completed: bool, score: int | None
) -> UserProgress:
    """Mark completed and/or raise the best score (never lowers either)."""
    row = await lesson_progress(db, user_id, lesson_id)
    if row is None:
        row = UserProgress(user_id=user_id, topic=lesson_id, completed=False, score=0)
        db.add(row)
    row.completed = row.completed or completed
    if score is not None:
        row.score = max(row.score, score)
    await db.flush()
    return row


# --- XP ledger ------------------------------------------------------------------------------------
async def held_award_keys(db: AsyncSession, user_id: uuid.UUID, keys: Iterable[str]) -> set[str]:
    """Which of these award keys the user already has (one query for every award an action may pay)."""
    wanted = sorted(set(keys))
    if not wanted:
        return set()
    rows = await db.scalars(select(XpAward.key).where(XpAward.user_id == user_id, XpAward.key.in_(wanted)))
    return set(rows)


async def award_exists(db: AsyncSession, user_id: uuid.UUID, key: str) -> bool:
    found = await db.scalar(select(XpAward.id).where(XpAward.user_id == user_id, XpAward.key == key))
    return found is not None


async def add_award(db: AsyncSession, award: XpAward) -> XpAward:
    db.add(award)
    await db.flush()
    return award


async def total_xp(db: AsyncSession, user_id: uuid.UUID, since: datetime | None = None) -> int:
    query = select(func.coalesce(func.sum(XpAward.amount), 0)).where(XpAward.user_id == user_id)
    if since is not None:
        query = query.where(XpAward.created_at >= since)
    return int(await db.scalar(query) or 0)


async def attempt_awards(db: AsyncSession, attempt_id: uuid.UUID) -> list[XpAward]:
    rows = await db.scalars(
        select(XpAward).where(XpAward.attempt_id == attempt_id).order_by(XpAward.created_at, XpAward.key)
    )
    return list(rows)


async def leaderboard(db: AsyncSession, since: datetime | None, limit: int) -> list[tuple[User, int]]:
    total = func.sum(XpAward.amount).label("xp")
    query = select(XpAward.user_id, total).group_by(XpAward.user_id)
    if since is not None:
        query = query.where(XpAward.created_at >= since)
    ranked = query.subquery()
    rows = await db.execute(
        select(User, ranked.c.xp)
        .join(ranked, ranked.c.user_id == User.id)
        .order_by(ranked.c.xp.desc(), User.created_at, User.id)
        .limit(limit)
    )
    return [(user, int(xp)) for user, xp in rows.all()]


async def users_with_more_xp(db: AsyncSession, since: datetime | None, xp: int) -> int:
    query = select(XpAward.user_id).group_by(XpAward.user_id).having(func.sum(XpAward.amount) > xp)
    if since is not None:
        query = query.where(XpAward.created_at >= since)
    return int(await db.scalar(select(func.count()).select_from(query.subquery())) or 0)


# --- activity days ----------------------------------------------------------------------------------
async def activity_days(db: AsyncSession, user_id: uuid.UUID) -> list[date]:
    rows = await db.scalars(select(ActivityDay.day).where(ActivityDay.user_id == user_id))
    return list(rows)


def add_activity_day_row(db: AsyncSession, user_id: uuid.UUID, day: date, time_zone: str) -> None:
    """Record a learning day the caller knows is new (written with the action's next flush)."""
    db.add(ActivityDay(user_id=user_id, day=day, time_zone=time_zone))


async def add_activity_day(db: AsyncSession, user_id: uuid.UUID, day: date, time_zone: str) -> bool:
    """Record a learning day; False when it was already recorded."""
    exists = await db.scalar(
        select(ActivityDay.id).where(ActivityDay.user_id == user_id, ActivityDay.day == day)
    )
    if exists is not None:
        return False
    db.add(ActivityDay(user_id=user_id, day=day, time_zone=time_zone))
    await db.flush()
    return True


# --- badges -----------------------------------------------------------------------------------------
async def badges(db: AsyncSession, user_id: uuid.UUID) -> dict[str, datetime]:
    rows = await db.execute(select(UserBadge.badge, UserBadge.earned_at).where(UserBadge.user_id == user_id))
    return dict(rows.all())


async def add_badge(db: AsyncSession, user_id: uuid.UUID, badge: str, now: datetime) -> UserBadge:
    row = UserBadge(user_id=user_id, badge=badge, earned_at=now)
    db.add(row)
    await db.flush()
    return row


# --- quiz attempts and answers ----------------------------------------------------------------------
async def attempt(db: AsyncSession, attempt_id: uuid.UUID) -> QuizAttempt | None:
    return await db.get(QuizAttempt, attempt_id)


async def attempts_count(db: AsyncSession, user_id: uuid.UUID, lesson_id: str) -> int:
    return int(
        await db.scalar(
            select(func.count())
            .select_from(QuizAttempt)
            .where(QuizAttempt.user_id == user_id, QuizAttempt.lesson_id == lesson_id)
        )
        or 0
    )


async def open_attempt(db: AsyncSession, user_id: uuid.UUID, lesson_id: str) -> QuizAttempt | None:
    return await db.scalar(
        select(QuizAttempt)
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.lesson_id == lesson_id,
            QuizAttempt.finished_at.is_(None),
        )
        .order_by(QuizAttempt.number.desc())
        .limit(1)
    )


async def lessons_with_finished_quiz(db: AsyncSession, user_id: uuid.UUID) -> set[str]:
    rows = await db.scalars(
        select(QuizAttempt.lesson_id)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.finished_at.is_not(None))
        .distinct()
    )
    return set(rows)


async def add_attempt(db: AsyncSession, row: QuizAttempt) -> QuizAttempt:
    db.add(row)
    await db.flush()
    return row


async def perfect_attempt_and_reviews(db: AsyncSession, user_id: uuid.UUID) -> tuple[bool, int]:
    """`any_perfect_attempt` and `total_reviews` in one round trip."""
    perfect = select(QuizAttempt.id).where(QuizAttempt.user_id == user_id, QuizAttempt.score_pct == 100)
    reviews = select(func.coalesce(func.sum(ReviewCard.reviews), 0)).where(ReviewCard.user_id == user_id)
    row = (await db.execute(select(perfect.exists(), reviews.scalar_subquery()))).one()
    return bool(row[0]), int(row[1] or 0)


async def any_perfect_attempt(db: AsyncSession, user_id: uuid.UUID) -> bool:
    found = await db.scalar(
        select(QuizAttempt.id).where(QuizAttempt.user_id == user_id, QuizAttempt.score_pct == 100).limit(1)
    )
    return found is not None


async def answers(db: AsyncSession, attempt_id: uuid.UUID) -> list[QuizAnswer]:
    rows = await db.scalars(select(QuizAnswer).where(QuizAnswer.attempt_id == attempt_id))
    return list(rows)


async def add_answer(db: AsyncSession, row: QuizAnswer) -> QuizAnswer:
    db.add(row)
    await db.flush()
    return row


async def recent_answers(db: AsyncSession, user_id: uuid.UUID, limit: int) -> list[tuple[str, bool]]:
    rows = await db.execute(
        select(QuizAnswer.question_id, QuizAnswer.correct)
        .where(QuizAnswer.user_id == user_id)
        .order_by(QuizAnswer.answered_at.desc())
        .limit(limit)
    )
    return list(rows.all())


# --- review cards -------------------------------------------------------------------------------------
async def card(db: AsyncSession, card_id: uuid.UUID) -> ReviewCard | None:
    return await db.get(ReviewCard, card_id)


async def cards_for(
    db: AsyncSession, user_id: uuid.UUID, kind: str, refs: Iterable[str]
) -> dict[str, ReviewCard]:
    """The user's cards of one kind for several refs, by ref (one query for all missed questions)."""
    wanted = sorted(set(refs))
    if not wanted:
        return {}
    rows = await db.scalars(
        select(ReviewCard).where(
            ReviewCard.user_id == user_id, ReviewCard.kind == kind, ReviewCard.ref.in_(wanted)
        )
    )
    return {row.ref: row for row in rows}


async def card_for(db: AsyncSession, user_id: uuid.UUID, kind: str, ref: str) -> ReviewCard | None:
    return await db.scalar(
        select(ReviewCard).where(
            ReviewCard.user_id == user_id, ReviewCard.kind == kind, ReviewCard.ref == ref
        )
    )


async def add_card(db: AsyncSession, row: ReviewCard) -> ReviewCard:
    db.add(row)
    await db.flush()
    return row


async def save_card(db: AsyncSession, row: ReviewCard, state: dict[str, Any], due: datetime) -> None:
    row.fsrs, row.due = state, due
    await db.flush()


async def due_cards(db: AsyncSession, user_id: uuid.UUID, now: datetime, limit: int) -> list[ReviewCard]:
    rows = await db.scalars(
        select(ReviewCard)
        .where(ReviewCard.user_id == user_id, ReviewCard.due <= now)
        .order_by(ReviewCard.due, ReviewCard.id)
        .limit(limit)
    )
    return list(rows)


async def due_count(db: AsyncSession, user_id: uuid.UUID, now: datetime) -> int:
    return int(
        await db.scalar(
            select(func.count())
            .select_from(ReviewCard)
            .where(ReviewCard.user_id == user_id, ReviewCard.due <= now)
        )
        or 0
    )


async def next_due(db: AsyncSession, user_id: uuid.UUID, now: datetime) -> datetime | None:
    return await db.scalar(
        select(func.min(ReviewCard.due)).where(ReviewCard.user_id == user_id, ReviewCard.due > now)
    )


async def total_reviews(db: AsyncSession, user_id: uuid.UUID) -> int:
    return int(
        await db.scalar(
            select(func.coalesce(func.sum(ReviewCard.reviews), 0)).where(ReviewCard.user_id == user_id)
        )
        or 0
    )


# --- hints --------------------------------------------------------------------------------------------
async def save_hint(db: AsyncSession, row: LearningHint) -> None:
    """Insert, or refresh the existing hint for the same reason and target."""
    existing = await db.scalar(
        select(LearningHint).where(
            LearningHint.user_id == row.user_id,
            LearningHint.reason == row.reason,
            LearningHint.target == row.target,
        )
    )
    if existing is None:
        db.add(row)
    else:
        existing.created_at, existing.detail = row.created_at, row.detail
    await db.flush()


async def hints(db: AsyncSession, user_id: uuid.UUID) -> list[LearningHint]:
    rows = await db.scalars(
        select(LearningHint).where(LearningHint.user_id == user_id).order_by(LearningHint.created_at.desc())
    )
    return list(rows)
