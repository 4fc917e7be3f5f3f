"""Learning: lessons, server-graded quizzes, XP, streaks, badges, spaced review, recommendations.

Every write path first takes the learner's lock (repository.lock_learner), then reads and writes;
so two concurrent requests of one user (a double-tapped "complete") run one after the other and the
second sees the first's XP. The XP ledger's unique keys stand behind that. The rules themselves are
pure functions in learning.rules; this module reads the facts they need and records what they decide.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.auth.display_names import display_name
from eaili5.core.errors import NotFound
from eaili5.learning import repository, rules, scheduling
from eaili5.learning.content import Curriculum, Lesson, PathDef, Question
from eaili5.learning.errors import (
    AlreadyAnswered,
    AttemptFinished,
    InvalidAnswer,
    UnknownAttempt,
    UnknownCard,
    UnknownLesson,
    UnknownTerm,
)
from eaili5.learning.glossary import search
from eaili5.learning.recommendations import next_lesson, weak_topics
from eaili5.learning.schemas import (
    AnswerIn,
    BadgeOut,
    CompleteOut,
    GlossaryPage,
    GlossaryTermDetail,
    GlossaryTermOut,
    GradedAnswer,
    LeaderboardEntry,
    LeaderboardOut,
    LessonCardOut,
    LessonOut,
    LessonProgress,
    LessonRef,
    LessonSummary,
    LevelOut,
    OptionFeedback,
    OptionOut,
    Outcome,
    PathOut,
    PathProgress,
    PathRef,
    PathsOut,
    ProgressOut,
    QuestionOut,
    QuizIn,
    QuizOut,
    QuizResult,
    Rating,
    Recommendation,
    RecommendationsOut,
    ReviewCardOut,
    ReviewIn,
    ReviewOut,
    ReviewQuestion,
    ReviewQueueOut,
    ReviewTerm,
    StreakOut,
    TermRef,
    TryItOut,
    XpEarned,
    XpItem,
)
from eaili5.models import ReviewCard, UserBadge, UserProgress
from eaili5.models.base import utcnow

WEAK_TOPIC_HISTORY = 200  # recent answers considered for weak topics
_LESSON_JSON = TypeAdapter(LessonOut)
_PROGRESS_JSON = TypeAdapter(LessonProgress)
# Stands where the learner's progress goes in a rendered lesson (a NUL question id: no content has one).
_FRAME_PROGRESS = LessonProgress(
    completed=False, best_score_pct=None, attempts=0, open_attempt_id=None, answered_question_ids=["\x00"]
)


@dataclass(frozen=True)
class Learner:
    """Who is learning, when, and in which time zone (so which local day it is). `locked`: the learner's
    lock is already held in this transaction (see `locked_learner`)."""

    user_id: uuid.UUID
    now: datetime
    time_zone: str
    locked: bool = False

    @property
    def today(self) -> date:
        return rules.local_day(self.now, self.time_zone)


@dataclass
class _Attempt:
    """The quiz attempt an answer belongs to, as this request leaves it (written once, at the end)."""

    id: uuid.UUID
    number: int
    question_count: int
    correct_count: int
    is_new: bool
    started_at: datetime | None = None
    score_pct: int | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True)
class _Outcome:
    """After an action: the streak, whether today is a new learning day, and the badges it earned."""

    streak: rules.Streak
    new_day: bool
    new_badges: list[str]


class _Awards:
    """The XP an action pays. Which of its possible keys the learner already holds is read in one query
    up front (under the learner's lock nothing else adds any); new rows are inserted together by `write`."""

    def __init__(self, held: set[str]) -> None:
        self.held = held
        self.paid: list[dict[str, Any]] = []  # xp_awards rows, in the order they were paid
        self._written = 0

    @classmethod
    async def read(cls, db: AsyncSession, learner: Learner, *keys: str) -> _Awards:
        return cls(await repository.held_award_keys(db, learner.user_id, (*keys, _streak_key(learner))))

    def pay(
        self,
        learner: Learner,
        key: str,
        reason: str,
        amount: int,
        detail: str | None,
        attempt_id: uuid.UUID | None = None,
    ) -> None:
        """Award once per key, ever (the caller holds the learner's lock; `held` came from after it)."""
        if amount <= 0 or key in self.held:
            return
        self.held.add(key)
        self.paid.append(
            {
                "id": uuid.uuid4(),
                "user_id": learner.user_id,
                "key": key,
                "reason": reason,
                "amount": amount,
                "detail": detail,
                "attempt_id": attempt_id,
                "created_at": learner.now,
            }
        )

    async def write(self, db: AsyncSession) -> None:
        """Insert the awards paid since the last write (one statement)."""
        await repository.insert_rows(db, "awards", self.paid[self._written :])
        self._written = len(self.paid)


def _streak_key(learner: Learner) -> str:
    return f"streak:{learner.today.isoformat()}"  # every action may pay today's streak bonus


def _xp_earned(items: list[tuple[str, int, str | None]]) -> XpEarned:
    out = [XpItem(reason=reason, amount=amount, detail=detail) for reason, amount, detail in items]
    return XpEarned(total=sum(item.amount for item in out), items=out)


def _paid_items(awards: _Awards) -> list[tuple[str, int, str | None]]:
    return [(row["reason"], row["amount"], row["detail"]) for row in awards.paid]


def _badge_out(badge: str, earned_at: datetime | None) -> BadgeOut:
    title, description = rules.BADGES[badge]
    return BadgeOut(
        id=badge, title=title, description=description, earned=earned_at is not None, earned_at=earned_at
    )


def _graded(question: Question, chosen: frozenset[str]) -> GradedAnswer:
    return GradedAnswer(
        question_id=question.id,
        correct=rules.is_correct(question, chosen),
        chosen_option_ids=sorted(chosen),
        correct_option_ids=sorted(question.correct_option_ids),
        options=[
            OptionFeedback(
                id=option.id,
                text=option.text,
                correct=option.correct,
                chosen=option.id in chosen,
                explanation=option.explanation,
            )
            for option in question.options
        ],
    )


def _question_out(question: Question) -> QuestionOut:
    options = [OptionOut(id=option.id, text=option.text) for option in question.options]
    return QuestionOut(
        id=question.id, kind=question.kind, prompt=question.prompt, topic=question.topic, options=options
    )


class LearningService:
    def __init__(self, curriculum: Curriculum, token_addresses: dict[str, str] | None = None) -> None:
        self.curriculum = curriculum
        self.built_for_addresses = token_addresses  # what the router compares to reuse this service
        self.token_addresses = token_addresses or {}  # symbol (upper case) -> address
        self._quiz_by_lesson: dict[str, dict[str, Question]] = {}
        self._frames: dict[tuple[str, str | None], tuple[bytes, bytes]] = {}

    def _questions(self, lesson: Lesson) -> dict[str, Question]:
        """A lesson's questions by id (the curriculum never changes while the process runs)."""
        found = self._quiz_by_lesson.get(lesson.id)
        if found is None:
            found = self._quiz_by_lesson[lesson.id] = {question.id: question for question in lesson.quiz}
        return found

    # --- lookups --------------------------------------------------------------------------------
    def _lesson(self, lesson_id: str) -> Lesson:
        lesson = self.curriculum.lessons.get(lesson_id)
        if lesson is None:
            raise UnknownLesson(lesson_id)
        return lesson

    def _lesson_ref(self, lesson: Lesson) -> LessonRef:
        return LessonRef(id=lesson.id, title=lesson.title, path_id=self.curriculum.lesson_path.get(lesson.id))

    def _next_on_path(self, lesson: Lesson) -> LessonRef | None:
        path = self.curriculum.path_by_id.get(self.curriculum.lesson_path.get(lesson.id, ""))
        if path is None or lesson.id not in path.lessons:
            return None
        index = path.lessons.index(lesson.id)
        following = path.lessons[index + 1 : index + 2]
        return self._lesson_ref(self.curriculum.lessons[following[0]]) if following else None

    async def learner(
        self, db: AsyncSession, user_id: uuid.UUID, now: datetime, requested_zone: str | None
    ) -> Learner:
        user = await repository.get_user(db, user_id)
        preferred = (user.preferences or {}).get("time_zone") if user else None
        return Learner(user_id, now, rules.choose_time_zone(requested_zone, preferred))

    async def locked_learner(
        self, db: AsyncSession, user_id: uuid.UUID, now: datetime, requested_zone: str | None
    ) -> Learner:
        """The learner for a write: takes the learner's lock and reads the preferred zone in one statement."""
        preferences = await repository.lock_learner_preferences(db, user_id)
        if preferences is None:
            raise NotFound("This user no longer exists.")
        zone = rules.choose_time_zone(requested_zone, preferences.get("time_zone"))
        return Learner(user_id, now, zone, locked=True)

    async def _lock(self, db: AsyncSession, user_id: uuid.UUID) -> None:
        if not await repository.lock_learner(db, user_id):
            raise NotFound("This user no longer exists.")

    async def _lock_learner(self, db: AsyncSession, learner: Learner) -> None:
        if not learner.locked:
            await self._lock(db, learner.user_id)

    # --- paths and lessons ------------------------------------------------------------------------
    async def _completed_and_scores(
        self, db: AsyncSession, user_id: uuid.UUID
    ) -> tuple[dict[str, UserProgress], set[str], dict[str, int]]:
        rows = await repository.progress_and_finished(db, user_id)
        progress = {row.topic: row for row, _ in rows}
        completed = {row.topic for row, _ in rows if row.completed}
        # A best score counts once the lesson's quiz was finished (completing alone stores score 0).
        scores = {row.topic: row.score for row, finished in rows if finished}
        return progress, completed, scores

    def _path_progress(self, path: PathDef, completed: set[str]) -> PathProgress:
        done, total = len(set(path.lessons) & completed), len(path.lessons)
        return PathProgress(
            id=path.id,
            title=path.title,
            summary=path.summary,
            order=path.order,
            completed=done,
            total=total,
            percent=done * 100 // total if total else 0,
        )

    async def paths(self, db: AsyncSession, user_id: uuid.UUID) -> PathsOut:
        _, completed, scores = await self._completed_and_scores(db, user_id)
        out = []
        for path in self.curriculum.paths:
            lessons = [
                LessonSummary(
                    id=lesson.id,
                    title=lesson.title,
                    summary=lesson.summary,
                    minutes=lesson.minutes,
                    completed=lesson.id in completed,
                    best_score_pct=scores.get(lesson.id),
                    prerequisites_met=set(lesson.prerequisites) <= completed,
                )
                for lesson in self.curriculum.lessons_of(path.id)
            ]
            out.append(PathOut(**self._path_progress(path, completed).model_dump(), lessons=lessons))
        return PathsOut(paths=out)

    async def lesson_progress(self, db: AsyncSession, user_id: uuid.UUID, lesson: Lesson) -> LessonProgress:
        state = await repository.lesson_state(db, user_id, lesson.id)
        open_id = state.open_attempt_id
        answered = await repository.answered_question_ids(db, open_id) if open_id else []
        return LessonProgress(
            completed=state.completed,
            best_score_pct=state.score if state.finished_attempts else None,
            attempts=state.attempts,
            open_attempt_id=open_id,
            answered_question_ids=sorted(answered),
        )

    async def lesson(self, db: AsyncSession, user_id: uuid.UUID, lesson_id: str) -> LessonOut:
        lesson = self._lesson(lesson_id)
        return self._lesson_out(lesson, await self.lesson_progress(db, user_id, lesson))

    async def lesson_json(self, db: AsyncSession, user_id: uuid.UUID, lesson_id: str) -> bytes:
        """The lesson page as JSON, byte for byte what `lesson` serializes to: the lesson's own part is
        rendered once (content never changes while the process runs) and only the learner's progress
        is serialized per request."""
        lesson = self._lesson(lesson_id)
        progress = await self.lesson_progress(db, user_id, lesson)
        before, after = self._lesson_frame(lesson)
        return b"".join((before, _PROGRESS_JSON.dump_json(progress), after))

    def _lesson_frame(self, lesson: Lesson) -> tuple[bytes, bytes]:
        """The lesson's JSON before and after its `progress` value (per try-it token address, which comes
        from the market's token list)."""
        key = (lesson.id, self._try_it_address(lesson))
        frame = self._frames.get(key)
        if frame is None:
            page = _LESSON_JSON.dump_json(self._lesson_out(lesson, _FRAME_PROGRESS))
            marker = _PROGRESS_JSON.dump_json(_FRAME_PROGRESS)
            before, found, after = page.partition(marker)
            if not found or marker in after:
                raise RuntimeError(f"lesson {lesson.id}: cannot find where its progress goes")
            frame = self._frames[key] = (before, after)
        return frame

    def _lesson_out(self, lesson: Lesson, progress: LessonProgress) -> LessonOut:
        terms = [self.curriculum.glossary[t] for t in lesson.glossary if t in self.curriculum.glossary]
        prerequisites = [
            self.curriculum.lessons[p] for p in lesson.prerequisites if p in self.curriculum.lessons
        ]
        return LessonOut(
            id=lesson.id,
            path_id=self.curriculum.lesson_path.get(lesson.id),
            title=lesson.title,
            summary=lesson.summary,
            minutes=lesson.minutes,
            prerequisites=[self._lesson_ref(p) for p in prerequisites],
            analogy=lesson.analogy,
            cards=[LessonCardOut(title=card.title, body=card.body) for card in lesson.cards],
            takeaways=list(lesson.takeaways),
            try_it=self._try_it(lesson),
            glossary=[TermRef(id=t.id, term=t.term, definition=t.definition) for t in terms],
            quiz=[_question_out(question) for question in lesson.quiz],
            progress=progress,
            next_lesson=self._next_on_path(lesson),
        )

    def _try_it_address(self, lesson: Lesson) -> str | None:
        symbol = lesson.try_it.symbol if lesson.try_it else None
        return self.token_addresses.get(symbol.upper()) if symbol else None

    def _try_it(self, lesson: Lesson) -> TryItOut | None:
        if lesson.try_it is None:
            return None
        symbol = lesson.try_it.symbol
        return TryItOut(
            kind=lesson.try_it.kind,
            label=lesson.try_it.label,
            prompt=lesson.try_it.prompt,
            symbol=symbol,
            token_address=self._try_it_address(lesson),
        )

    # --- XP, streak and badges after an action ---------------------------------------------------
    async def _outcome(
        self, db: AsyncSession, learner: Learner, awards: _Awards, attempt_id: uuid.UUID | None = None
    ) -> Outcome:
        """Record today as a learning day, pay the streak bonus, grant new badges."""
        days = await repository.activity_days(db, learner.user_id)
        if learner.today not in days:
            repository.add_activity_day_row(db, learner.user_id, learner.today, learner.time_zone)
            days.append(learner.today)
        streak = rules.streak(days, learner.today)
        day = learner.today.isoformat()
        bonus = rules.streak_bonus(streak.current)
        awards.pay(learner, f"streak:{day}", "streak_bonus", bonus, day, attempt_id)
        await awards.write(db)
        await db.flush()  # the badge rules below read what this action wrote
        new_badges = await self._grant_badges(db, learner, streak.current)
        return Outcome(
            xp_earned=_xp_earned(_paid_items(awards)),
            new_badges=new_badges,
            streak=self._streak_out(streak, learner),
        )

    def _streak_out(self, streak: rules.Streak, learner: Learner) -> StreakOut:
        return StreakOut(
            current=streak.current,
            longest=streak.longest,
            today_done=streak.today_done,
            today=learner.today,
            time_zone=learner.time_zone,
        )

    async def _facts(self, db: AsyncSession, user_id: uuid.UUID, current_streak: int) -> rules.LearnerFacts:
        _, completed, scores = await self._completed_and_scores(db, user_id)
        perfect_quiz, reviews = await repository.perfect_attempt_and_reviews(db, user_id)
        return rules.LearnerFacts(
            completed=frozenset(completed),
            best_scores=scores,
            current_streak=current_streak,
            perfect_quiz=perfect_quiz,
            reviews=reviews,
        )

    async def _grant_badges(self, db: AsyncSession, learner: Learner, current_streak: int) -> list[BadgeOut]:
        held = await repository.badges(db, learner.user_id)
        facts = await self._facts(db, learner.user_id, current_streak)
        new = self._new_badges(facts, held.keys())
        for badge in new:
            db.add(UserBadge(user_id=learner.user_id, badge=badge, earned_at=learner.now))
        return [_badge_out(badge, learner.now) for badge in new]

    # --- completing a lesson ----------------------------------------------------------------------
    async def complete(self, db: AsyncSession, learner: Learner, lesson_id: str) -> CompleteOut:
        lesson = self._lesson(lesson_id)
        await self._lock_learner(db, learner)
        before = await repository.lesson_progress(db, learner.user_id, lesson_id)
        awards = await _Awards.read(db, learner, f"lesson:{lesson.id}")
        await self._complete_lesson(db, learner, lesson, awards)
        outcome = await self._outcome(db, learner, awards)
        return CompleteOut(
            **outcome.model_dump(),
            lesson_id=lesson.id,
            already_completed=bool(before and before.completed),
            next_lesson=self._next_on_path(lesson),
        )

    async def _complete_lesson(
        self,
        db: AsyncSession,
        learner: Learner,
        lesson: Lesson,
        awards: _Awards,
    ) -> None:
        await repository.save_progress(db, learner.user_id, lesson.id, completed=True, score=None)
        awards.pay(learner, f"lesson:{lesson.id}", "lesson_complete", rules.XP_LESSON_COMPLETE, lesson.id)

    # --- quizzes ----------------------------------------------------------------------------------
    def _chosen(self, lesson: Lesson, answers: list[AnswerIn]) -> dict[str, frozenset[str]]:
        """Validate the answers against the lesson's questions, before anything is written."""
        questions = {question.id: question for question in lesson.quiz}
        chosen: dict[str, frozenset[str]] = {}
        for answer in answers:
            question = questions.get(answer.question_id)
            if question is None:
                raise InvalidAnswer(f"Lesson '{lesson.id}' has no question '{answer.question_id}'.")
            if answer.question_id in chosen:
                raise InvalidAnswer(f"Question '{answer.question_id}' is answered twice in this request.")
            options = frozenset(answer.option_ids)
            unknown = sorted(options - question.option_ids)
            if unknown:
                raise InvalidAnswer(
                    f"Question '{question.id}' has no option {', '.join(repr(o[:40]) for o in unknown)}."
                )
            if question.kind != "multiple" and len(options) != 1:
                raise InvalidAnswer(f"Question '{question.id}' takes exactly one option.")
            chosen[question.id] = options
        return chosen

    def _quiz_attempt(
        self,
        learner: Learner,
        lesson: Lesson,
        attempt_id: uuid.UUID | None,
        snapshot: repository.LearnerSnapshot,
    ) -> _Attempt:
        """The attempt these answers belong to: a new one when `attempt_id` is None."""
        if attempt_id is None:
            number = snapshot.attempts + 1
            return _Attempt(uuid.uuid4(), number, len(lesson.quiz), 0, is_new=True, started_at=learner.now)
        found = snapshot.attempt
        if found is None or found.lesson_id != lesson.id:
            raise UnknownAttempt(f"There is no attempt {attempt_id} at lesson '{lesson.id}' for you.")
        if found.finished:
            raise AttemptFinished("This attempt is finished. Start a new one by leaving out attempt_id.")
        return _Attempt(found.id, found.number, found.question_count, found.correct_count, is_new=False)

    async def answer_quiz(self, db: AsyncSession, learner: Learner, lesson_id: str, body: QuizIn) -> QuizOut:
        """Grade, then read everything the answer depends on in one statement (after the lock), decide in
        Python, and write each table once: the quiz screen sends one answer per request."""
        lesson = self._lesson(lesson_id)
        chosen = self._chosen(lesson, body.answers)
        questions = self._questions(lesson)
        graded = [_graded(questions[question_id], options) for question_id, options in chosen.items()]
        await self._lock_learner(db, learner)
        keys = [f"question:{answer.question_id}" for answer in graded if answer.correct]
        keys += [f"lesson:{lesson.id}", f"first-try:{lesson.id}", _streak_key(learner)]
        missed = [answer.question_id for answer in graded if not answer.correct]
        snapshot = await repository.learner_snapshot(
            db, learner.user_id, lesson.id, body.attempt_id, keys, missed
        )
        attempt = self._quiz_attempt(learner, lesson, body.attempt_id, snapshot)
        repeated = sorted(set(snapshot.answered) & chosen.keys())
        if repeated:
            raise AlreadyAnswered(
                f"Question {', '.join(repeated)} already has an answer in this attempt. "
                "Start a new attempt to try again."
            )
        correct = sum(answer.correct for answer in graded)
        attempt.correct_count += correct
        answered = len(snapshot.answered) + len(graded)
        finished = answered >= len(lesson.quiz)
        awards = _Awards(snapshot.held_keys)
        answers = self._answer_rows(learner, attempt, graded, awards)
        cards, card_updates = self._cards_for_misses(learner, missed, snapshot.cards)
        if finished:
            attempt.score_pct = rules.score_pct(attempt.correct_count, attempt.question_count)
            attempt.finished_at = learner.now
            self._pay_finish(learner, lesson, attempt, awards)
        outcome = self._quiz_outcome(learner, lesson, snapshot, attempt, finished, awards)
        writes = repository.QuizWrites()
        self._attempt_writes(writes, learner, lesson, attempt, changed=correct > 0 or finished)
        writes.add("answers", answers)
        writes.add("cards", cards)
        writes.card_updates = card_updates
        if finished:
            self._progress_writes(writes, learner, lesson, snapshot, attempt.score_pct or 0)
        self._outcome_writes(writes, learner, outcome, awards)
        await repository.write_quiz(db, writes)
        result = await self._result(db, attempt) if finished else None
        return QuizOut(
            xp_earned=_xp_earned(_paid_items(awards)),
            new_badges=[_badge_out(badge, learner.now) for badge in outcome.new_badges],
            streak=self._streak_out(outcome.streak, learner),
            attempt_id=attempt.id,
            lesson_id=lesson.id,
            attempt_number=attempt.number,
            graded=graded,
            answered=answered,
            total=len(lesson.quiz),
            finished=finished,
            result=result,
        )

    def _answer_rows(
        self, learner: Learner, attempt: _Attempt, graded: list[GradedAnswer], awards: _Awards
    ) -> list[dict[str, Any]]:
        """The quiz_answers rows; XP for each right answer (once per question, ever)."""
        rows = []
        for answer in graded:
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "attempt_id": attempt.id,
                    "user_id": learner.user_id,
                    "question_id": answer.question_id,
                    "chosen": {"ids": answer.chosen_option_ids},
                    "correct": answer.correct,
                    "answered_at": learner.now,
                }
            )
            if answer.correct:
                key, xp = f"question:{answer.question_id}", rules.XP_CORRECT_ANSWER
                awards.pay(learner, key, "correct_answer", xp, answer.question_id, attempt.id)
        return rows

    def _cards_for_misses(
        self, learner: Learner, missed: list[str], existing: dict[str, tuple[uuid.UUID, dict[str, Any]]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """A missed question is due for review at once; missed again, its card starts over (Again).
        Returns (new card rows, updates of existing cards)."""
        new, updates = [], []
        for question_id in missed:
            found = existing.get(question_id)
            if found is None:
                new.append(
                    {
                        "id": uuid.uuid4(),
                        "user_id": learner.user_id,
                        "kind": "question",
                        "ref": question_id,
                        "fsrs": scheduling.new_card(learner.now),
                        "due": learner.now,
                        "reviews": 0,
                        "last_reviewed_at": None,
                        "created_at": utcnow(),
                        "updated_at": utcnow(),
                    }
                )
                continue
            card_id, state = found
            rescheduled, due = scheduling.reschedule(state, "again", learner.now)
            updates.append({"card_id": card_id, "new_fsrs": rescheduled, "new_due": min(due, learner.now)})
        return new, updates

    def _pay_finish(self, learner: Learner, lesson: Lesson, attempt: _Attempt, awards: _Awards) -> None:
        """Every question answered: the lesson's XP, and the first-try bonus for a perfect first attempt."""
        xp = rules.XP_LESSON_COMPLETE
        awards.pay(learner, f"lesson:{lesson.id}", "lesson_complete", xp, lesson.id, attempt.id)
        if attempt.number == 1 and attempt.correct_count == attempt.question_count:
            key, xp = f"first-try:{lesson.id}", rules.XP_FIRST_TRY_BONUS
            awards.pay(learner, key, "first_try_bonus", xp, lesson.id, attempt.id)

    def _quiz_outcome(
        self,
        learner: Learner,
        lesson: Lesson,
        snapshot: repository.LearnerSnapshot,
        attempt: _Attempt,
        finished: bool,
        awards: _Awards,
    ) -> _Outcome:
        """Today as a learning day, the streak bonus and new badges, from the snapshot plus what this
        answer changes (the lesson completed and scored when `finished`): the same facts the database
        holds once this request's rows are written."""
        today = learner.today
        new_day = today not in snapshot.days
        streak = rules.streak([*snapshot.days, today] if new_day else snapshot.days, today)
        day, bonus = today.isoformat(), rules.streak_bonus(streak.current)
        awards.pay(learner, f"streak:{day}", "streak_bonus", bonus, day, attempt.id)
        completed = {topic for topic, row in snapshot.progress.items() if row.completed}
        scores = {topic: row.score for topic, row in snapshot.progress.items() if row.finished}
        perfect = snapshot.perfect_quiz
        if finished:
            score = attempt.score_pct or 0
            before = snapshot.progress.get(lesson.id)
            completed.add(lesson.id)
            scores[lesson.id] = max(before.score if before else 0, score)
            perfect = perfect or score == 100
        facts = rules.LearnerFacts(
            completed=frozenset(completed),
            best_scores=scores,
            current_streak=streak.current,
            perfect_quiz=perfect,
            reviews=snapshot.reviews,
        )
        return _Outcome(streak, new_day, self._new_badges(facts, snapshot.badges))

    def _new_badges(self, facts: rules.LearnerFacts, held: Collection[str]) -> list[str]:
        earned = rules.earned_badges(facts, self.curriculum)
        return [badge for badge in rules.BADGES if badge in earned and badge not in held]

    def _attempt_writes(
        self,
        writes: repository.QuizWrites,
        learner: Learner,
        lesson: Lesson,
        attempt: _Attempt,
        changed: bool,
    ) -> None:
        if attempt.is_new:
            row = {
                "id": attempt.id,
                "user_id": learner.user_id,
                "lesson_id": lesson.id,
                "number": attempt.number,
                "question_count": attempt.question_count,
                "correct_count": attempt.correct_count,
                "score_pct": attempt.score_pct,
                "started_at": attempt.started_at,
                "finished_at": attempt.finished_at,
            }
            writes.add("attempts", [row])
        elif changed:
            writes.attempt_update = {
                "attempt_id": attempt.id,
                "new_correct_count": attempt.correct_count,
                "new_score_pct": attempt.score_pct,
                "new_finished_at": attempt.finished_at,
            }

    def _progress_writes(
        self,
        writes: repository.QuizWrites,
        learner: Learner,
        lesson: Lesson,
        snapshot: repository.LearnerSnapshot,
        score: int,
    ) -> None:
        """Completed, and the best score raised (never lowered); no write when nothing changes."""
        before = snapshot.progress.get(lesson.id)
        if before is None:
            row = {"id": uuid.uuid4(), "user_id": learner.user_id, "topic": lesson.id, "completed": True}
            writes.add("progress", [{**row, "score": max(0, score), "updated_at": utcnow()}])
        elif not before.completed or score > before.score:
            new_score = max(before.score, score)
            writes.progress_update = {
                "for_user": learner.user_id,
                "for_topic": lesson.id,
                "new_score": new_score,
            }

    def _outcome_writes(
        self, writes: repository.QuizWrites, learner: Learner, outcome: _Outcome, awards: _Awards
    ) -> None:
        writes.add("awards", awards.paid)
        if outcome.new_day:
            day = {"id": uuid.uuid4(), "user_id": learner.user_id, "day": learner.today}
            writes.add("days", [{**day, "time_zone": learner.time_zone, "created_at": utcnow()}])
        badges = [
            {"id": uuid.uuid4(), "user_id": learner.user_id, "badge": badge, "earned_at": learner.now}
            for badge in outcome.new_badges
        ]
        writes.add("badges", badges)

    async def _result(self, db: AsyncSession, attempt: _Attempt) -> QuizResult:
        score = attempt.score_pct or 0
        return QuizResult(
            score_pct=score,
            correct=attempt.correct_count,
            total=attempt.question_count,
            passed=rules.passed(score),
            first_try=attempt.number == 1,
            xp=_xp_earned(await repository.attempt_award_items(db, attempt.id)),
        )

    # --- review -----------------------------------------------------------------------------------
    def _card_out(self, card: ReviewCard) -> ReviewCardOut | None:
        """The card as shown before answering; None when its content no longer exists."""
        question, term = None, None
        if card.kind == "question":
            ref = self.curriculum.questions.get(card.ref)
            if ref is None:
                return None
            q = ref.question
            question = ReviewQuestion(
                id=q.id,
                lesson_id=ref.lesson.id,
                lesson_title=ref.lesson.title,
                kind=q.kind,
                prompt=q.prompt,
                options=[OptionOut(id=o.id, text=o.text) for o in q.options],
            )
        else:
            found = self.curriculum.glossary.get(card.ref)
            if found is None:
                return None
            term = ReviewTerm(id=found.id, term=found.term, definition=found.definition)
        return ReviewCardOut(
            id=card.id,
            kind=card.kind,
            due_at=card.due,
            reviews=card.reviews,
            question=question,
            term=term,
        )

    async def review_queue(
        self, db: AsyncSession, user_id: uuid.UUID, now: datetime, limit: int
    ) -> ReviewQueueOut:
        cards = [self._card_out(card) for card in await repository.due_cards(db, user_id, now, limit)]
        return ReviewQueueOut(
            cards=[card for card in cards if card is not None],
            due_count=await repository.due_count(db, user_id, now),
            next_due_at=await repository.next_due(db, user_id, now),
        )

    async def review(
        self, db: AsyncSession, learner: Learner, card_id: uuid.UUID, body: ReviewIn
    ) -> ReviewOut:
        await self._lock_learner(db, learner)
        card = await repository.card(db, card_id)
        if card is None or card.user_id != learner.user_id:
            raise UnknownCard(
                f"There is no review card {card_id} for you. GET /api/learn/review lists yours."
            )
        graded = self._grade_card(card, body)
        rating: Rating = body.rating if graded is None else ("good" if graded.correct else "again")  # type: ignore[assignment]
        state, due = scheduling.reschedule(card.fsrs, rating, learner.now)
        card.reviews += 1
        card.last_reviewed_at = learner.now
        await repository.save_card(db, card, state, due)
        outcome = await self._outcome(db, learner, await _Awards.read(db, learner))
        return ReviewOut(
            **outcome.model_dump(),
            card_id=card.id,
            rating=rating,
            correct=graded.correct if graded else None,
            graded=graded,
            due_at=due,
            interval_seconds=max(0, int((due - learner.now).total_seconds())),
        )

    def _grade_card(self, card: ReviewCard, body: ReviewIn) -> GradedAnswer | None:
        if card.kind == "term":
            if body.rating is None or body.option_ids is not None:
                raise InvalidAnswer("A term card takes a rating: again, hard, good or easy.")
            return None
        if body.option_ids is None or body.rating is not None:
            raise InvalidAnswer("A question card takes option_ids (your answer); it is graded for you.")
        ref = self.curriculum.questions.get(card.ref)
        if ref is None:
            raise UnknownCard("This card's question is no longer in the lessons.")
        lesson = ref.lesson
        chosen = self._chosen(lesson, [AnswerIn(question_id=card.ref, option_ids=body.option_ids)])
        return _graded(ref.question, chosen[card.ref])

    # --- glossary ---------------------------------------------------------------------------------
    def glossary(self, query: str | None, limit: int) -> GlossaryPage:
        found = search(list(self.curriculum.glossary.values()), query, limit)
        return GlossaryPage(
            items=[GlossaryTermOut(**term.model_dump()) for term in found],
            total=len(found) if query else len(self.curriculum.glossary),
        )

    async def glossary_term(
        self, db: AsyncSession, user_id: uuid.UUID | None, term_id: str, now: datetime
    ) -> GlossaryTermDetail:
        term = self.curriculum.glossary.get(term_id)
        if term is None:
            raise UnknownTerm(term_id)
        has_card = False
        if user_id is not None:
            await self._lock(db, user_id)
            if await repository.card_for(db, user_id, "term", term_id) is None:
                due = now + scheduling.TERM_FIRST_REVIEW_AFTER
                row = ReviewCard(
                    user_id=user_id, kind="term", ref=term_id, fsrs=scheduling.new_card(due), due=due
                )
                await repository.add_card(db, row)
            has_card = True
        return GlossaryTermDetail(
            **term.model_dump(),
            lessons=[self._lesson_ref(lesson) for lesson in self.curriculum.lessons_using_term(term_id)],
            review_card=has_card,
        )

    # --- progress, recommendations, leaderboard ---------------------------------------------------
    async def progress(self, db: AsyncSession, learner: Learner) -> ProgressOut:
        _, completed, _ = await self._completed_and_scores(db, learner.user_id)
        xp = await repository.total_xp(db, learner.user_id)
        level, into, needed = rules.level_for(xp)
        streak = rules.streak(await repository.activity_days(db, learner.user_id), learner.today)
        held = await repository.badges(db, learner.user_id)
        return ProgressOut(
            xp=xp,
            xp_this_week=await repository.total_xp(db, learner.user_id, rules.week_start(learner.now)),
            level=LevelOut(level=level, xp_into_level=into, xp_for_next_level=needed),
            streak=self._streak_out(streak, learner),
            lessons_completed=len(completed & self.curriculum.lessons.keys()),
            lessons_total=len(self.curriculum.lessons),
            reviews_due=await repository.due_count(db, learner.user_id, learner.now),
            badges=[_badge_out(badge, held.get(badge)) for badge in rules.BADGES],
            paths=[self._path_progress(path, completed) for path in self.curriculum.paths],
        )

    async def recommendations(self, db: AsyncSession, user_id: uuid.UUID) -> RecommendationsOut:
        progress, completed, _ = await self._completed_and_scores(db, user_id)
        items = await self._hints(db, user_id, completed)
        last = max(
            (row for row in progress.values() if row.completed), key=lambda row: row.updated_at, default=None
        )
        upcoming = next_lesson(self.curriculum, completed, last.topic if last else None)
        if upcoming is not None:
            items.append(self._recommend(upcoming, "next_lesson", "Next on your path."))
        for weak in weak_topics(
            self.curriculum, await repository.recent_answers(db, user_id, WEAK_TOPIC_HISTORY)
        ):
            plural = "s" if weak.misses > 1 else ""
            reason = f"You missed {weak.misses} question{plural} about {weak.topic}. Go over it again."
            items.append(self._recommend(weak.lesson, "weak_topic", reason, topic=weak.topic))
        return RecommendationsOut(items=items)

    def _recommend(self, lesson: Lesson, kind: str, reason: str, topic: str | None = None) -> Recommendation:
        path = self.curriculum.path_by_id.get(self.curriculum.lesson_path.get(lesson.id, ""))
        return Recommendation(
            kind=kind,
            reason=reason,
            lesson=self._lesson_ref(lesson),
            path=PathRef(id=path.id, title=path.title) if path else None,
            topic=topic,
        )

    async def _hints(self, db: AsyncSession, user_id: uuid.UUID, completed: set[str]) -> list[Recommendation]:
        """Event-driven hints whose lesson (or path) exists and is not done yet."""
        items = []
        for hint in await repository.hints(db, user_id):
            reason = hint.detail or "Something you did touches this topic."
            if hint.target_kind == "lesson" and hint.target in self.curriculum.lessons:
                if hint.target not in completed:
                    item = self._recommend(self.curriculum.lessons[hint.target], "hint", reason)
                    items.append(item.model_copy(update={"created_at": hint.created_at}))
            elif hint.target_kind == "path" and hint.target in self.curriculum.path_by_id:
                path = self.curriculum.path_by_id[hint.target]
                left = [lesson for lesson in path.lessons if lesson not in completed]
                if left:
                    lesson = self.curriculum.lessons[left[0]]
                    item = self._recommend(lesson, "hint", reason)
                    items.append(item.model_copy(update={"created_at": hint.created_at}))
        return items

    async def leaderboard(
        self, db: AsyncSession, user_id: uuid.UUID, period: str, now: datetime, limit: int
    ) -> LeaderboardOut:
        since = rules.week_start(now) if period == "week" else None
        rows = await repository.leaderboard(db, since, limit)
        items, rank, previous = [], 0, None
        for position, (user, xp) in enumerate(rows, start=1):
            rank = rank if xp == previous else position  # ties share a rank: 1, 1, 3
            previous = xp
            items.append(
                LeaderboardEntry(rank=rank, display_name=display_name(user), xp=xp, is_you=user.id == user_id)
            )
        mine = await repository.total_xp(db, user_id, since)
        me = await repository.get_user(db, user_id)
        you = None
        if mine > 0 and me is not None:
            you_rank = await repository.users_with_more_xp(db, since, mine) + 1
            you = LeaderboardEntry(rank=you_rank, display_name=display_name(me), xp=mine, is_you=True)
        return LeaderboardOut(period=period, starts_at=since, items=items, you=you)
