"""All learning SQL. Functions only flush; the request (or event subscriber) owns the transaction.

Writes for one learner are serialized by `lock_learner` (a no-op UPDATE of the user's row: a row
lock on PostgreSQL, the database write lock on SQLite), taken before anything is read. The unique
constraints (XP keys, one answer per question per attempt, ...) are the last line behind it.
"""

from __future__ import annotations

import typing
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    BindTyping,
    Boolean,
    Date,
    Integer,
    String,
    Table,
    bindparam,
    case,
    cast,
    exists,
    func,
    insert,
    literal_column,
    null,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql.base import PGDialect
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
from eaili5.models.base import utcnow


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


def _lesson_state_statement() -> Any:
    uid: BindParameter[Any] = bindparam("user_id")
    lesson: BindParameter[Any] = bindparam("lesson_id")
    progress_t, attempts_t = UserProgress.__table__.c, QuizAttempt.__table__.c
    progress = (progress_t.user_id == uid, progress_t.topic == lesson)
    attempts = (attempts_t.user_id == uid, attempts_t.lesson_id == lesson)
    open_attempt = (
        select(attempts_t.id)
        .where(*attempts, attempts_t.finished_at.is_(None))
        .order_by(attempts_t.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    return select(
        select(progress_t.completed).where(*progress).scalar_subquery(),
        select(progress_t.score).where(*progress).scalar_subquery(),
        select(func.count()).select_from(QuizAttempt.__table__).where(*attempts).scalar_subquery(),
        select(func.count(attempts_t.finished_at)).where(*attempts).scalar_subquery(),
        open_attempt,
    )


# Built once: the lesson page is the most read learning page (no statement building per request).
_LESSON_STATE = _lesson_state_statement()
_OPEN_ANSWERS = select(QuizAnswer.__table__.c.question_id).where(
    QuizAnswer.__table__.c.attempt_id == bindparam("attempt_id")
)


async def lesson_state(db: AsyncSession, user_id: uuid.UUID, lesson_id: str) -> LessonState:
    """What the lesson page shows about the learner, in one round trip (scalar subqueries)."""
    row = (await db.execute(_LESSON_STATE, {"user_id": user_id, "lesson_id": lesson_id})).one()
    completed, score, count, finished, open_id = row
    return LessonState(bool(completed), score, int(count or 0), int(finished or 0), open_id)


async def answered_question_ids(db: AsyncSession, attempt_id: uuid.UUID) -> list[str]:
    return list(await db.scalars(_OPEN_ANSWERS, {"attempt_id": attempt_id}))


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


# --- the quiz hot path: Core statements, built once ---------------------------------------------------
# A quiz answer is the busiest write of the learning API. Its statements are built once at import (with
# bind parameters) and run on the tables, not the mapped classes: no statement building, no cache-key
# walk and no unit of work per request. Reads happen only after the learner's lock is held.
_progress_t = typing.cast(Table, UserProgress.__table__)
_attempts_t = typing.cast(Table, QuizAttempt.__table__)
_answers_t = typing.cast(Table, QuizAnswer.__table__)
_awards_t = typing.cast(Table, XpAward.__table__)
_days_t = typing.cast(Table, ActivityDay.__table__)
_badges_t = typing.cast(Table, UserBadge.__table__)
_cards_t = typing.cast(Table, ReviewCard.__table__)


def _row(
    kind: str,
    *,
    ref: Any = None,
    n: Any = None,
    n2: Any = None,
    n3: Any = None,
    flag: Any = None,
    day: Any = None,
    card_id: Any = None,
    state: Any = None,
) -> list[Any]:
    """The columns of one branch of the snapshot union; missing values are typed NULLs (so the first
    branch gives the union its column types on both databases)."""
    return [
        literal_column(f"'{kind}'").label("kind"),
        (cast(null(), String) if ref is None else ref).label("ref"),
        (cast(null(), Integer) if n is None else n).label("n"),
        (cast(null(), Integer) if n2 is None else n2).label("n2"),
        (cast(null(), Integer) if n3 is None else n3).label("n3"),
        (cast(null(), Boolean) if flag is None else flag).label("flag"),
        (cast(null(), Date) if day is None else day).label("day"),
        (cast(null(), _cards_t.c.id.type) if card_id is None else card_id).label("card_id"),
        (cast(null(), _cards_t.c.fsrs.type) if state is None else state).label("state"),
    ]


def _snapshot_statement(with_attempt: bool) -> Any:
    uid: BindParameter[Any] = bindparam("user_id")
    lesson: BindParameter[Any] = bindparam("lesson_id")
    finished = exists().where(
        _attempts_t.c.user_id == _progress_t.c.user_id,
        _attempts_t.c.lesson_id == _progress_t.c.topic,
        _attempts_t.c.finished_at.is_not(None),
    )
    perfect = exists().where(_attempts_t.c.user_id == uid, _attempts_t.c.score_pct == 100)
    reviews = select(func.coalesce(func.sum(_cards_t.c.reviews), 0)).where(_cards_t.c.user_id == uid)
    attempts = (
        select(func.count())
        .select_from(_attempts_t)
        .where(_attempts_t.c.user_id == uid, _attempts_t.c.lesson_id == lesson)
        .scalar_subquery()
    )
    branches = [
        select(*_row("key", ref=_awards_t.c.key)).where(
            _awards_t.c.user_id == uid, _awards_t.c.key.in_(bindparam("keys", expanding=True))
        ),
        select(*_row("day", day=_days_t.c.day)).where(_days_t.c.user_id == uid),
        select(*_row("badge", ref=_badges_t.c.badge)).where(_badges_t.c.user_id == uid),
        select(
            *_row(
                "progress",
                ref=_progress_t.c.topic,
                n=_progress_t.c.score,
                n2=case((finished, 1), else_=0),
                flag=_progress_t.c.completed,
            )
        ).where(_progress_t.c.user_id == uid),
        select(*_row("totals", n=reviews.scalar_subquery(), n2=attempts, flag=perfect)),
        select(*_row("card", ref=_cards_t.c.ref, card_id=_cards_t.c.id, state=_cards_t.c.fsrs)).where(
            _cards_t.c.user_id == uid,
            _cards_t.c.kind == "question",
            _cards_t.c.ref.in_(bindparam("missed", expanding=True)),
        ),
    ]
    if with_attempt:
        aid: BindParameter[Any] = bindparam("attempt_id")
        branches += [
            select(
                *_row(
                    "attempt",
                    ref=_attempts_t.c.lesson_id,
                    n=_attempts_t.c.number,
                    n2=_attempts_t.c.correct_count,
                    n3=_attempts_t.c.question_count,
                    flag=_attempts_t.c.finished_at.is_not(None),
                )
            ).where(_attempts_t.c.id == aid, _attempts_t.c.user_id == uid),
            select(*_row("answer", ref=_answers_t.c.question_id)).where(_answers_t.c.attempt_id == aid),
        ]
    return union_all(*branches)


_SNAPSHOT = _snapshot_statement(with_attempt=False)
_SNAPSHOT_WITH_ATTEMPT = _snapshot_statement(with_attempt=True)


@dataclass(frozen=True, slots=True)
class AttemptRow:
    id: uuid.UUID
    lesson_id: str
    number: int
    correct_count: int
    question_count: int
    finished: bool


@dataclass(frozen=True, slots=True)
class ProgressRow:
    completed: bool
    score: int
    finished: bool  # the lesson has a finished quiz attempt


@dataclass
class LearnerSnapshot:
    """Everything a quiz answer reads, from one statement: which of the candidate XP keys are held, the
    learning days, the badges, each lesson's progress, the badge totals, the review cards of the missed
    questions, and the attempt."""

    held_keys: set[str]
    days: list[date]
    badges: set[str]
    progress: dict[str, ProgressRow]
    reviews: int
    perfect_quiz: bool
    attempts: int  # attempts at the lesson so far
    attempt: AttemptRow | None  # the attempt asked for, when it is this user's
    answered: list[str]  # question ids already answered in that attempt
    cards: dict[str, tuple[uuid.UUID, dict[str, Any]]]  # missed question id -> (card id, FSRS state)


async def learner_snapshot(
    db: AsyncSession,
    user_id: uuid.UUID,
    lesson_id: str,
    attempt_id: uuid.UUID | None,
    keys: Iterable[str],
    missed: Iterable[str],
) -> LearnerSnapshot:
    params: dict[str, Any] = {
        "user_id": user_id,
        "lesson_id": lesson_id,
        "keys": sorted(set(keys)),
        "missed": sorted(set(missed)),
    }
    if attempt_id is not None:
        params["attempt_id"] = attempt_id
    statement = _SNAPSHOT if attempt_id is None else _SNAPSHOT_WITH_ATTEMPT
    snapshot = LearnerSnapshot(set(), [], set(), {}, 0, False, 0, None, [], {})
    for kind, ref, n, n2, n3, flag, day, card_id, state in await db.execute(statement, params):
        if kind == "key":
            snapshot.held_keys.add(ref)
        elif kind == "day":
            snapshot.days.append(day)
        elif kind == "badge":
            snapshot.badges.add(ref)
        elif kind == "progress":
            snapshot.progress[ref] = ProgressRow(bool(flag), int(n or 0), bool(n2))
        elif kind == "totals":
            snapshot.reviews, snapshot.attempts, snapshot.perfect_quiz = int(n or 0), int(n2 or 0), bool(flag)
        elif kind == "attempt" and attempt_id is not None:
            snapshot.attempt = AttemptRow(attempt_id, ref, int(n), int(n2), int(n3), bool(flag))
        elif kind == "answer":
            snapshot.answered.append(ref)
        elif kind == "card":
            snapshot.cards[ref] = (card_id, state)
    return snapshot


_UPDATE_ATTEMPT = (
    update(_attempts_t)
    .where(_attempts_t.c.id == bindparam("attempt_id"))
    .values(
        correct_count=bindparam("new_correct_count"),
        score_pct=bindparam("new_score_pct"),
        finished_at=bindparam("new_finished_at"),
    )
)
_UPDATE_CARDS = (
    update(_cards_t)
    .where(_cards_t.c.id == bindparam("card_id"))
    .values(fsrs=bindparam("new_fsrs"), due=bindparam("new_due"))
)
_UPDATE_PROGRESS = (
    update(_progress_t)
    .where(_progress_t.c.user_id == bindparam("for_user"), _progress_t.c.topic == bindparam("for_topic"))
    .values(completed=True, score=bindparam("new_score"))
)


async def insert_rows(db: AsyncSession, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows into one of the quiz path's tables in one statement (nothing when there are none)."""
    if rows:
        await db.execute(_INSERTS[table], rows)


_TABLES = {
    "attempts": _attempts_t,
    "answers": _answers_t,
    "cards": _cards_t,
    "progress": _progress_t,
    "awards": _awards_t,
    "days": _days_t,
    "badges": _badges_t,
}
_INSERTS = {name: insert(table) for name, table in _TABLES.items()}


@dataclass
class QuizWrites:
    """Every row one quiz answer writes, so they can be sent together. Insert rows name every column
    (no defaults to run), each table's rows with the same keys."""

    inserts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by _TABLES name
    attempt_update: dict[str, Any] | None = None  # attempt_id, new_correct_count, new_score_pct, ...
    card_updates: list[dict[str, Any]] = field(default_factory=list)  # card_id, new_fsrs, new_due
    progress_update: dict[str, Any] | None = None  # for_user, for_topic, new_score

    def add(self, table: str, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.inserts.setdefault(table, []).extend(rows)


async def write_quiz(db: AsyncSession, writes: QuizWrites) -> None:
    """PostgreSQL: every write in one statement (data-modifying CTEs; foreign keys are checked at its
    end, so an answer may point at the attempt inserted beside it). SQLite has no DML in WITH and no
    network round trip to save: one statement per table."""
    if db.get_bind().dialect.name == "postgresql":
        shape, params = _shape_and_params(writes)
        if params:
            await db.execute(_statement_for(shape), params)
        return
    for table in _TABLES:
        await insert_rows(db, table, writes.inserts.get(table, []))
    if writes.attempt_update:
        await db.execute(_UPDATE_ATTEMPT, writes.attempt_update)
    if writes.card_updates:
        await db.execute(_UPDATE_CARDS, writes.card_updates)
    if writes.progress_update:
        await db.execute(_UPDATE_PROGRESS, writes.progress_update)


_Shape = tuple[tuple[tuple[str, tuple[str, ...], int], ...], bool, int, bool]


def _shape_and_params(writes: QuizWrites) -> tuple[_Shape, dict[str, Any]]:
    """Which tables get how many rows of which columns (the statement's shape), and its parameters."""
    params: dict[str, Any] = {}
    inserts = []
    for table, rows in writes.inserts.items():
        if not rows:
            continue
        columns = tuple(sorted(rows[0]))
        inserts.append((table, columns, len(rows)))
        for n, row in enumerate(rows):
            params.update({f"{table}_{n}_{column}": row[column] for column in columns})
    if writes.attempt_update:
        params.update(writes.attempt_update)
    for n, card in enumerate(writes.card_updates):
        params.update({f"card_{n}_{key}": value for key, value in card.items()})
    if writes.progress_update:
        params.update(writes.progress_update)
    if writes.card_updates or writes.progress_update:
        params["updated_at"] = utcnow()  # what `onupdate` sets; Python-side defaults do not run in a CTE
    updates = (bool(writes.attempt_update), len(writes.card_updates), bool(writes.progress_update))
    return (tuple(inserts), *updates), params


# Why text: SQLAlchemy gives a multi-row `insert().values([...])` no cache key (multi-values are "not
# cacheable"), so the CTE statement was compiled again on every request (~15-20% of the quiz endpoint's
# CPU). Its SQL is rendered once per shape instead and kept as a `text()` whose bind parameters carry the
# original names, types and fixed values: a text clause has a cache key, so each execution finds its
# compiled form in the engine's cache. Executed through asyncpg it renders the very SQL string the
# statement itself renders (casts such as `::UUID` and `::JSONB` included) with the same bind processors
# (JSONB serializer, UTC datetimes, ...), so PostgreSQL receives exactly what it did before.
# Not chosen: INSERT ... SELECT FROM unnest(arrays), which would make the shape independent of row counts
# but re-types every column as an array of a TypeDecorator/variant type (JSONB[], timestamptz[]) and
# changes what is sent; the shapes are few (the quiz screen sends one answer per request).
_RENDER_NAMED = PGDialect(paramstyle="named")  # type: ignore[no-untyped-call]
# No casts in the rendered text (`:id::UUID` would not parse back as the bind `id`): the executing
# dialect adds them again, as it does for the statement.
_RENDER_NAMED.bind_typing = BindTyping.NONE


@lru_cache(maxsize=256)
def _statement_for(shape: _Shape) -> Any:
    """The shape's statement as a cacheable text clause, built once per shape."""
    return _as_cacheable_text(_built_statement(shape))


def _as_cacheable_text(statement: Any) -> Any:
    """The statement's PostgreSQL SQL as `text()`, every bind parameter kept with its type and value."""
    compiled = statement.compile(dialect=_RENDER_NAMED)
    binds: dict[str, BindParameter[Any]] = {}
    for bind, name in compiled.bind_names.items():
        binds.setdefault(name, bindparam(name, bind.value, type_=bind.type, required=bind.required))
    return text(compiled.string).bindparams(*binds.values())


def _built_statement(shape: _Shape) -> Any:
    """Every write of one shape in one statement: data-modifying CTEs under a `SELECT 1`."""
    inserts, attempt_update, card_updates, progress_update = shape
    ctes = []
    for table, columns, count in inserts:
        target = _TABLES[table]
        rows = [
            {column: bindparam(f"{table}_{n}_{column}", type_=target.c[column].type) for column in columns}
            for n in range(count)
        ]
        ctes.append(insert(target).values(rows).cte(f"insert_{table}"))
    if attempt_update:
        ctes.append(_UPDATE_ATTEMPT.cte("update_attempt"))
    updated_at = bindparam("updated_at", type_=_cards_t.c.updated_at.type)
    for n in range(card_updates):
        ctes.append(
            update(_cards_t)
            .where(_cards_t.c.id == bindparam(f"card_{n}_card_id", type_=_cards_t.c.id.type))
            .values(
                fsrs=bindparam(f"card_{n}_new_fsrs", type_=_cards_t.c.fsrs.type),
                due=bindparam(f"card_{n}_new_due", type_=_cards_t.c.due.type),
                updated_at=updated_at,
            )
            .cte(f"update_card_{n}")
        )
    if progress_update:
        ctes.append(_UPDATE_PROGRESS.values(updated_at=updated_at).cte("update_progress"))
    return select(literal_column("1")).add_cte(*ctes)


_ATTEMPT_AWARDS = (
    select(_awards_t.c.reason, _awards_t.c.amount, _awards_t.c.detail)
    .where(_awards_t.c.attempt_id == bindparam("attempt_id"))
    .order_by(_awards_t.c.created_at, _awards_t.c.key)
)


async def attempt_award_items(db: AsyncSession, attempt_id: uuid.UUID) -> list[tuple[str, int, str | None]]:
    """(reason, amount, detail) of every award an attempt earned, oldest first."""
    rows = await db.execute(_ATTEMPT_AWARDS, {"attempt_id": attempt_id})
    return [(reason, amount, detail) for reason, amount, detail in rows]
