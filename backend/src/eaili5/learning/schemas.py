"""Learning API shapes. Lessons and review cards never carry `correct` flags or explanations:
those come back only in the graded result of an answer."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from eaili5.auth.schemas import Preferences

QuestionKind = Literal["single", "multiple", "true_false"]
TryItKind = Literal["ask", "token", "trade"]
Rating = Literal["again", "hard", "good", "easy"]
XpReason = Literal["lesson_complete", "correct_answer", "first_try_bonus", "streak_bonus"]
BadgeId = Literal[
    "first-lesson",
    "first-path",
    "streak-7",
    "scam-spotter",
    "perfect-quiz",
    "first-practice-trade",
    "reviewer",
]
TimeZone = str


def valid_zone(value: str | None) -> str | None:
    return None if value is None else Preferences._known_zone(value)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    time_zone: TimeZone | None = Field(
        default=None,
        max_length=64,
        description="The client's IANA time zone (streaks count its local days); "
        "else the user's preference, else UTC.",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return valid_zone(value)


# --- lessons --------------------------------------------------------------------------------------
class LessonSummary(BaseModel):
    id: str
    title: str
    summary: str
    minutes: int
    completed: bool
    best_score_pct: int | None = Field(description="Best quiz score (0-100), null before any finished quiz.")
    prerequisites_met: bool = Field(description="False when a prerequisite lesson is not completed yet.")


class PathProgress(BaseModel):
    id: str
    title: str
    summary: str
    order: int
    completed: int = Field(description="Lessons of this path the caller completed.")
    total: int
    percent: int = Field(description="completed / total, 0-100 (0 for an empty path).")


class PathOut(PathProgress):
    lessons: list[LessonSummary]


class PathsOut(BaseModel):
    paths: list[PathOut]


class LessonCardOut(BaseModel):
    title: str
    body: str


class TryItOut(BaseModel):
    kind: TryItKind
    label: str
    prompt: str | None = Field(default=None, description="For kind 'ask': the question for the tutor.")
    symbol: str | None = Field(default=None, description="For 'token' / 'trade': a token symbol.")
    token_address: str | None = Field(default=None, description="The symbol's token address, when known.")


class TermRef(BaseModel):
    id: str
    term: str
    definition: str


class OptionOut(BaseModel):
    """An option as shown before answering: no `correct` flag, no explanation."""

    id: str
    text: str


class QuestionOut(BaseModel):
    id: str
    kind: QuestionKind
    prompt: str
    topic: str
    options: list[OptionOut]


class LessonProgress(BaseModel):
    completed: bool
    best_score_pct: int | None
    attempts: int = Field(description="Quiz attempts started.")
    open_attempt_id: uuid.UUID | None = Field(description="An unfinished attempt to continue, if any.")
    answered_question_ids: list[str] = Field(description="Questions already answered in the open attempt.")


class LessonRef(BaseModel):
    id: str
    title: str
    path_id: str | None


class LessonOut(BaseModel):
    id: str
    path_id: str | None
    title: str
    summary: str
    minutes: int
    prerequisites: list[LessonRef]
    analogy: str
    cards: list[LessonCardOut]
    takeaways: list[str]
    try_it: TryItOut | None
    glossary: list[TermRef]
    quiz: list[QuestionOut]
    progress: LessonProgress
    next_lesson: LessonRef | None = Field(description="The lesson after this one on its path.")


# --- XP, streaks, badges --------------------------------------------------------------------------
class XpItem(BaseModel):
    reason: XpReason
    amount: int
    detail: str | None = Field(description="The lesson, question or local day the award is for.")


class XpEarned(BaseModel):
    total: int
    items: list[XpItem]


class StreakOut(BaseModel):
    current: int = Field(description="Local days in a row with learning, up to today (or yesterday).")
    longest: int
    today_done: bool = Field(description="Whether the caller learned today (their local day).")
    today: date = Field(description="The caller's local date used for the streak.")
    time_zone: str


class BadgeOut(BaseModel):
    id: BadgeId
    title: str
    description: str
    earned: bool
    earned_at: datetime | None


class Outcome(BaseModel):
    """What an action earned: XP awarded by this request, badges earned by it, and the streak after it."""

    xp_earned: XpEarned
    new_badges: list[BadgeOut]
    streak: StreakOut


class CompleteIn(_In):
    pass


class CompleteOut(Outcome):
    lesson_id: str
    already_completed: bool = Field(description="True when the lesson was completed before: no new XP.")
    next_lesson: LessonRef | None


# --- quizzes ----------------------------------------------------------------------------------------
class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question_id: str = Field(min_length=1, max_length=120)
    option_ids: list[str] = Field(min_length=1, max_length=10)


class QuizIn(_In):
    attempt_id: uuid.UUID | None = Field(
        default=None, description="Continue this attempt; omit to start a new one."
    )
    answers: list[AnswerIn] = Field(min_length=1, max_length=10)


class OptionFeedback(BaseModel):
    id: str
    text: str
    correct: bool
    chosen: bool
    explanation: str


class GradedAnswer(BaseModel):
    question_id: str
    correct: bool
    chosen_option_ids: list[str]
    correct_option_ids: list[str]
    options: list[OptionFeedback] = Field(description="Every option with why it is right or wrong.")


class QuizResult(BaseModel):
    score_pct: int
    correct: int
    total: int
    passed: bool = Field(description="Score at or above the pass mark (see docs/api.md).")
    first_try: bool = Field(description="This was the caller's first attempt at this quiz.")
    xp: XpEarned = Field(description="Everything this attempt earned, across its requests.")


class QuizOut(Outcome):
    attempt_id: uuid.UUID
    lesson_id: str
    attempt_number: int
    graded: list[GradedAnswer] = Field(description="The answers of this request, graded.")
    answered: int
    total: int
    finished: bool
    result: QuizResult | None = Field(description="Set once every question has an answer.")


# --- progress ---------------------------------------------------------------------------------------
class LevelOut(BaseModel):
    level: int
    xp_into_level: int
    xp_for_next_level: int = Field(description="XP needed from the start of this level to the next.")


class ProgressOut(BaseModel):
    xp: int
    xp_this_week: int
    level: LevelOut
    streak: StreakOut
    lessons_completed: int
    lessons_total: int
    reviews_due: int
    badges: list[BadgeOut] = Field(description="Every badge, earned or not.")
    paths: list[PathProgress]


# --- review -------------------------------------------------------------------------------------------
class ReviewQuestion(BaseModel):
    id: str
    lesson_id: str
    lesson_title: str
    kind: QuestionKind
    prompt: str
    options: list[OptionOut]


class ReviewTerm(BaseModel):
    id: str
    term: str
    definition: str = Field(description="The back of the card: show it after the user tried to recall.")


class ReviewCardOut(BaseModel):
    id: uuid.UUID
    kind: Literal["question", "term"]
    due_at: datetime
    reviews: int
    question: ReviewQuestion | None
    term: ReviewTerm | None


class ReviewQueueOut(BaseModel):
    cards: list[ReviewCardOut]
    due_count: int = Field(description="All cards due now (the list is capped by `limit`).")
    next_due_at: datetime | None = Field(description="When the next card not yet due becomes due.")


class ReviewIn(_In):
    option_ids: list[str] | None = Field(
        default=None, min_length=1, max_length=10, description="For question cards."
    )
    rating: Rating | None = Field(default=None, description="For term cards: how well you remembered.")


class ReviewOut(Outcome):
    card_id: uuid.UUID
    rating: Rating
    correct: bool | None = Field(description="Question cards: whether the answer was right.")
    graded: GradedAnswer | None = Field(description="Question cards: the answer with every explanation.")
    due_at: datetime = Field(description="When the card is due next.")
    interval_seconds: int = Field(description="From now until it is due next.")


# --- glossary -----------------------------------------------------------------------------------------
class GlossaryTermOut(BaseModel):
    id: str
    term: str
    aliases: list[str]
    definition: str
    topic: str


class GlossaryPage(BaseModel):
    items: list[GlossaryTermOut]
    total: int


class GlossaryTermDetail(GlossaryTermOut):
    lessons: list[LessonRef] = Field(description="Lessons that use this term.")
    review_card: bool = Field(description="True when the caller now has a review card for this term.")


# --- recommendations and leaderboard ----------------------------------------------------------------
class PathRef(BaseModel):
    id: str
    title: str


class Recommendation(BaseModel):
    kind: Literal["next_lesson", "weak_topic", "hint"]
    reason: str = Field(description="One short sentence saying why, in plain words.")
    lesson: LessonRef | None
    path: PathRef | None
    topic: str | None = Field(default=None, description="For weak_topic: the question topic tag.")
    created_at: datetime | None = Field(default=None, description="For hints: when the event happened.")


class RecommendationsOut(BaseModel):
    items: list[Recommendation]


class LeaderboardEntry(BaseModel):
    rank: int
    display_name: str
    xp: int
    is_you: bool


class LeaderboardOut(BaseModel):
    period: Literal["week", "all"]
    starts_at: datetime | None = Field(description="Start of the week (Monday 00:00 UTC); null for 'all'.")
    items: list[LeaderboardEntry]
    you: LeaderboardEntry | None = Field(description="The caller's own rank; null before any XP.")
