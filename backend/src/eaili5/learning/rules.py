"""The learning rules as small pure functions: grading, XP, levels, local days, streaks, badges.

docs/api.md (Learn) states the same rules in words; tests/learning/test_rules.py checks each one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from eaili5.learning.content import Curriculum, Question

XP_LESSON_COMPLETE = 20  # once per lesson
XP_CORRECT_ANSWER = 5  # once per question, the first time it is answered right
XP_FIRST_TRY_BONUS = 10  # every question right on the first attempt at a quiz
XP_STREAK_BONUS = 10  # once per local day that continues a streak (day 2 and on)
PASS_SCORE_PCT = 60  # a quiz is passed at 60% (2 of 3, 3 of 4, 3 of 5)
STREAK_BADGE_DAYS = 7
REVIEWER_BADGE_REVIEWS = 10
SCAMS_PATH = "scams-self-defence"
LEVEL_STEP_XP = 100  # level n -> n+1 takes n * 100 XP: 100, 200, 300, ...


# --- grading ------------------------------------------------------------------------------------
def is_correct(question: Question, chosen: Iterable[str]) -> bool:
    """Right only when the chosen options are exactly the correct ones (all of them for `multiple`)."""
    return frozenset(chosen) == question.correct_option_ids


def score_pct(correct: int, total: int) -> int:
    """Whole percent, halves rounded up (2 of 3 -> 67)."""
    return (correct * 200 + total) // (total * 2) if total else 0


def passed(score: int | None) -> bool:
    return score is not None and score >= PASS_SCORE_PCT


# --- levels -------------------------------------------------------------------------------------
def xp_to_reach(level: int) -> int:
    """Total XP at which `level` starts: 0, 100, 300, 600, 1000, ..."""
    return LEVEL_STEP_XP * level * (level - 1) // 2


def level_for(xp: int) -> tuple[int, int, int]:
    """(level, XP into the level, XP the level takes)."""
    level = 1
    while xp >= xp_to_reach(level + 1):
        level += 1
    return level, xp - xp_to_reach(level), LEVEL_STEP_XP * level


# --- local days and streaks ---------------------------------------------------------------------
def local_day(now: datetime, time_zone: str) -> date:
    """The calendar date at `now` in `time_zone` (DST-aware: a local day may last 23 or 25 hours)."""
    return now.astimezone(ZoneInfo(time_zone)).date()


def choose_time_zone(requested: str | None, preferred: str | None) -> str:
    """The request's zone, else the user's preference, else UTC (both already validated)."""
    return requested or preferred or "UTC"


@dataclass(frozen=True)
class Streak:
    current: int
    longest: int
    today_done: bool


def streak(days: Iterable[date], today: date) -> Streak:
    """Consecutive local days with learning. The current run ends today or yesterday (a streak is
    not lost until a whole local day passes without learning)."""
    unique = sorted(set(days))
    longest, run, previous = 0, 0, None
    for day in unique:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest, previous = max(longest, run), day
    # A day "after" today can exist when the user moved west across zones: it keeps the run alive.
    alive = previous is not None and previous >= today - timedelta(days=1)
    return Streak(current=run if alive else 0, longest=longest, today_done=today in unique)


def streak_bonus(current: int) -> int:
    """XP for a day that continues a streak: the second day in a row and every day after."""
    return XP_STREAK_BONUS if current >= 2 else 0


def week_start(now: datetime) -> datetime:
    """Monday 00:00 UTC of `now`'s week: one weekly leaderboard for everyone."""
    today = now.astimezone(UTC).date()
    monday = today - timedelta(days=today.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)


# --- badges -------------------------------------------------------------------------------------
BADGES: dict[str, tuple[str, str]] = {
    "first-lesson": ("First step", "Finish your first lesson."),
    "first-path": ("Path finder", "Finish every lesson of one path."),
    "streak-7": ("Seven days strong", "Learn seven days in a row."),
    "scam-spotter": (
        "Scam spotter",
        "Finish every lesson of Scams and self-defence and pass each of its quizzes.",
    ),
    "perfect-quiz": ("Perfect quiz", "Get every question of a quiz right."),
    "first-practice-trade": ("First practice trade", "Make your first trade with play money."),
    "reviewer": ("Reviewer", "Do 10 reviews of cards you missed or looked up."),
}


@dataclass(frozen=True)
class LearnerFacts:
    """What the badge rules look at, read from the database in one place."""

    completed: frozenset[str] = frozenset()
    best_scores: dict[str, int] = field(default_factory=dict)
    current_streak: int = 0
    perfect_quiz: bool = False
    reviews: int = 0
    practice_trades: int = 0


def earned_badges(facts: LearnerFacts, curriculum: Curriculum) -> set[str]:
    earned: set[str] = set()
    if facts.completed:
        earned.add("first-lesson")
    if any(path.lessons and set(path.lessons) <= facts.completed for path in curriculum.paths):
        earned.add("first-path")
    if facts.current_streak >= STREAK_BADGE_DAYS:
        earned.add("streak-7")
    if _scam_spotter(facts, curriculum):
        earned.add("scam-spotter")
    if facts.perfect_quiz:
        earned.add("perfect-quiz")
    if facts.practice_trades > 0:
        earned.add("first-practice-trade")
    if facts.reviews >= REVIEWER_BADGE_REVIEWS:
        earned.add("reviewer")
    return earned


def _scam_spotter(facts: LearnerFacts, curriculum: Curriculum) -> bool:
    lessons = curriculum.path_by_id[SCAMS_PATH].lessons if SCAMS_PATH in curriculum.path_by_id else ()
    return bool(lessons) and all(
        lesson in facts.completed and passed(facts.best_scores.get(lesson)) for lesson in lessons
    )
