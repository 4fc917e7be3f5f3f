"""Learning: lessons, server-graded quizzes, XP, streaks, badges, spaced review, recommendations.

Every write path first takes the learner's lock (repository.lock_learner), then reads and writes;
so two concurrent requests of one user (a double-tapped "complete") run one after the other and the
second sees the first's XP. The XP ledger's unique keys stand behind that. The rules themselves are
pure functions in learning.rules; this module reads the facts they need and records what they decide.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

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
from eaili5.models import QuizAnswer, QuizAttempt, ReviewCard, UserBadge, UserProgress, XpAward

WEAK_TOPIC_HISTORY = 200  # recent answers considered for weak topics


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


class _Awards:
    """The XP an action pays. Which of its possible keys the learner already holds is read in one query
    up front (under the learner's lock nothing else adds any); new rows go out with the next flush."""

    def __init__(self, held: set[str]) -> None:
        self.held = held
        self.paid: list[XpAward] = []

    @classmethod
    async def read(cls, db: AsyncSession, learner: Learner, *keys: str) -> _Awards:
        streak_key = f"streak:{learner.today.isoformat()}"  # every action may pay today's streak bonus
        return cls(await repository.held_award_keys(db, learner.user_id, (*keys, streak_key)))


def _xp_earned(awards: list[XpAward]) -> XpEarned:
    items = [XpItem(reason=a.reason, amount=a.amount, detail=a.detail) for a in awards]
    return XpEarned(total=sum(item.amount for item in items), items=items)


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
        self.token_addresses = token_addresses or {}  # symbol (upper case) -> address

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

    async def lesson(self, db: AsyncSession, user_id: uuid.UUID, lesson_id: str) -> LessonOut:
        lesson = self._lesson(lesson_id)
        state = await repository.lesson_state(db, user_id, lesson_id)
        open_id = state.open_attempt_id
        answered = await repository.answers(db, open_id) if open_id else []
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
            progress=LessonProgress(
                completed=state.completed,
                best_score_pct=state.score if state.finished_attempts else None,
                attempts=state.attempts,
                open_attempt_id=open_id,
                answered_question_ids=sorted(answer.question_id for answer in answered),
            ),
            next_lesson=self._next_on_path(lesson),
        )

    def _try_it(self, lesson: Lesson) -> TryItOut | None:
        if lesson.try_it is None:
            return None
        symbol = lesson.try_it.symbol
        return TryItOut(
            kind=lesson.try_it.kind,
            label=lesson.try_it.label,
            prompt=lesson.try_it.prompt,
            symbol=symbol,
            token_address=self.token_addresses.get(symbol.upper()) if symbol else None,
        )

    # --- XP, streak and badges after an action ---------------------------------------------------
    async def _award(
        self,
        db: AsyncSession,
        learner: Learner,
        awards: _Awards,
        key: str,
        reason: str,
        amount: int,
        detail: str | None,
        attempt_id: uuid.UUID | None = None,
    ) -> None:
        """Award once per key, ever (the caller holds the learner's lock; `awards` read the held keys)."""
        if amount <= 0 or key in awards.held:
            return
        row = XpAward(
            user_id=learner.user_id,
            key=key,
            reason=reason,
            amount=amount,
            detail=detail,
            attempt_id=attempt_id,
            created_at=learner.now,
        )
        db.add(row)
        awards.held.add(key)
        awards.paid.append(row)

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
        await self._award(db, learner, awards, f"streak:{day}", "streak_bonus", bonus, day, attempt_id)
        await db.flush()  # the badge rules below read what this action wrote
        new_badges = await self._grant_badges(db, learner, streak.current)
        return Outcome(
            xp_earned=_xp_earned(awards.paid), new_badges=new_badges, streak=self._streak_out(streak, learner)
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
        new = [
            badge
            for badge in rules.BADGES
            if badge in rules.earned_badges(facts, self.curriculum) - held.keys()
        ]
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
        score: int | None = None,
        attempt_id: uuid.UUID | None = None,
    ) -> None:
        await repository.save_progress(db, learner.user_id, lesson.id, completed=True, score=score)
        await self._award(
            db,
            learner,
            awards,
            f"lesson:{lesson.id}",
            "lesson_complete",
            rules.XP_LESSON_COMPLETE,
            lesson.id,
            attempt_id,
        )

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

    async def _attempt(
        self,
        db: AsyncSession,
        learner: Learner,
        lesson: Lesson,
        attempt_id: uuid.UUID | None,
        correct: int,
    ) -> tuple[QuizAttempt, list[QuizAnswer]]:
        """The attempt these answers belong to (a new one when `attempt_id` is None) and its earlier
        answers; `correct` of the new answers are right."""
        if attempt_id is None:
            number = await repository.attempts_count(db, learner.user_id, lesson.id) + 1
            row = QuizAttempt(
                user_id=learner.user_id,
                lesson_id=lesson.id,
                number=number,
                question_count=len(lesson.quiz),
                correct_count=correct,
                started_at=learner.now,
            )
            return await repository.add_attempt(db, row), []  # a new attempt has no answers yet
        found = await repository.attempt(db, attempt_id)
        if found is None or found.user_id != learner.user_id or found.lesson_id != lesson.id:
            raise UnknownAttempt(f"There is no attempt {attempt_id} at lesson '{lesson.id}' for you.")
        if found.finished_at is not None:
            raise AttemptFinished("This attempt is finished. Start a new one by leaving out attempt_id.")
        earlier = await repository.answers(db, found.id)
        found.correct_count += correct
        return found, earlier

    async def answer_quiz(self, db: AsyncSession, learner: Learner, lesson_id: str, body: QuizIn) -> QuizOut:
        lesson = self._lesson(lesson_id)
        chosen = self._chosen(lesson, body.answers)
        questions = {question.id: question for question in lesson.quiz}
        graded = [_graded(questions[question_id], options) for question_id, options in chosen.items()]
        await self._lock_learner(db, learner)
        correct = sum(answer.correct for answer in graded)
        attempt, earlier = await self._attempt(db, learner, lesson, body.attempt_id, correct)
        repeated = sorted({answer.question_id for answer in earlier} & chosen.keys())
        if repeated:
            raise AlreadyAnswered(
                f"Question {', '.join(repeated)} already has an answer in this attempt. "
                "Start a new attempt to try again."
            )
        answered = len(earlier) + len(graded)
        finished = answered >= len(lesson.quiz)
        keys = [f"question:{answer.question_id}" for answer in graded if answer.correct]
        if finished:
            keys += [f"lesson:{lesson.id}", f"first-try:{lesson.id}"]
        awards = await _Awards.read(db, learner, *keys)
        await self._record_answers(db, learner, attempt, graded, awards)
        if finished:
            await self._finish(db, learner, lesson, attempt, awards)
        outcome = await self._outcome(db, learner, awards, attempt.id)
        result = await self._result(db, attempt) if finished else None
        return QuizOut(
            **outcome.model_dump(),
            attempt_id=attempt.id,
            lesson_id=lesson.id,
            attempt_number=attempt.number,
            graded=graded,
            answered=answered,
            total=len(lesson.quiz),
            finished=finished,
            result=result,
        )

    async def _record_answers(
        self,
        db: AsyncSession,
        learner: Learner,
        attempt: QuizAttempt,
        graded: list[GradedAnswer],
        awards: _Awards,
    ) -> None:
        """Store the answers, pay XP for right ones, put missed questions up for review: rows only,
        written together by the next flush (no statement per answer)."""
        missed = [answer.question_id for answer in graded if not answer.correct]
        cards = await repository.cards_for(db, learner.user_id, "question", missed) if missed else {}
        for answer in graded:
            db.add(
                QuizAnswer(
                    attempt_id=attempt.id,
                    user_id=learner.user_id,
                    question_id=answer.question_id,
                    chosen={"ids": answer.chosen_option_ids},
                    correct=answer.correct,
                    answered_at=learner.now,
                )
            )
            if answer.correct:
                key = f"question:{answer.question_id}"
                xp = rules.XP_CORRECT_ANSWER
                await self._award(
                    db, learner, awards, key, "correct_answer", xp, answer.question_id, attempt.id
                )
            else:
                self._card_for_miss(db, learner, answer.question_id, cards.get(answer.question_id))

    async def _finish(
        self, db: AsyncSession, learner: Learner, lesson: Lesson, attempt: QuizAttempt, awards: _Awards
    ) -> None:
        """Every question answered: score it, complete the lesson, and pay the first-try bonus."""
        attempt.score_pct = rules.score_pct(attempt.correct_count, attempt.question_count)
        attempt.finished_at = learner.now
        await self._complete_lesson(db, learner, lesson, awards, attempt.score_pct, attempt.id)
        if attempt.number == 1 and attempt.correct_count == attempt.question_count:
            key = f"first-try:{lesson.id}"
            await self._award(
                db, learner, awards, key, "first_try_bonus", rules.XP_FIRST_TRY_BONUS, lesson.id, attempt.id
            )
        await db.flush()

    async def _result(self, db: AsyncSession, attempt: QuizAttempt) -> QuizResult:
        score = attempt.score_pct or 0
        return QuizResult(
            score_pct=score,
            correct=attempt.correct_count,
            total=attempt.question_count,
            passed=rules.passed(score),
            first_try=attempt.number == 1,
            xp=_xp_earned(await repository.attempt_awards(db, attempt.id)),
        )

    # --- review -----------------------------------------------------------------------------------
    def _card_for_miss(
        self, db: AsyncSession, learner: Learner, question_id: str, card: ReviewCard | None
    ) -> None:
        """A missed question is due for review at once; missed again, its card starts over (Again)."""
        if card is None:
            row = ReviewCard(
                user_id=learner.user_id,
                kind="question",
                ref=question_id,
                fsrs=scheduling.new_card(learner.now),
                due=learner.now,
            )
            db.add(row)
            return
        state, due = scheduling.reschedule(card.fsrs, "again", learner.now)
        card.fsrs, card.due = state, min(due, learner.now)

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
