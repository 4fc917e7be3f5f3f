"""Learning HTTP API: paths, lessons, server-graded quizzes, progress, review, glossary, leaderboard."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import AfterValidator

from eaili5.auth.deps import CurrentPrincipal, bearer_token, get_session_service
from eaili5.auth.service import Principal
from eaili5.core.deps import DBSession, get_state
from eaili5.core.errors import error_responses
from eaili5.learning.content import Curriculum, load_curriculum
from eaili5.learning.schemas import (
    CompleteIn,
    CompleteOut,
    GlossaryPage,
    GlossaryTermDetail,
    LeaderboardOut,
    LessonOut,
    PathsOut,
    ProgressOut,
    QuizIn,
    QuizOut,
    RecommendationsOut,
    ReviewIn,
    ReviewOut,
    ReviewQueueOut,
    valid_zone,
)
from eaili5.learning.service import LearningService
from eaili5.models.base import utcnow

router = APIRouter(prefix="/api/learn", tags=["learning"])


# Dependencies are async: FastAPI would run a plain `def` one on a worker thread, per request.
def get_curriculum(request: Request) -> Curriculum:
    """The shipped curriculum; a test may put its own on `app.state.learning_curriculum`."""
    custom = getattr(request.app.state, "learning_curriculum", None)
    return custom if isinstance(custom, Curriculum) else load_curriculum()


async def current_time() -> datetime:
    """The clock, as a dependency so tests can set the time (midnight, DST) without sleeping."""
    return utcnow()


async def get_service(request: Request) -> LearningService:
    """The app's learning service, kept while the curriculum and the market's token addresses stay the
    same objects: it keeps what it renders from content (a lesson's page) for the next request."""
    curriculum = get_curriculum(request)
    addresses = get_state(request).market.symbol_addresses
    service = getattr(request.app.state, "learning_service", None)
    if not (
        isinstance(service, LearningService)
        and service.curriculum is curriculum
        and service.built_for_addresses is addresses
    ):
        service = LearningService(curriculum, addresses)
        request.app.state.learning_service = service
    return service


async def optional_principal(request: Request) -> Principal | None:
    """The caller when a bearer token is sent (a bad token is still 401); None when there is none."""
    header = request.headers.get("authorization", "")
    if not header:
        return None
    return await get_session_service(request).resolve(get_state(request).db, bearer_token(request))


Service = Annotated[LearningService, Depends(get_service)]
Now = Annotated[datetime, Depends(current_time)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
ZoneQuery = Annotated[
    str | None,
    Query(max_length=64, description="IANA time zone for the local day (else your preference, else UTC)."),
    AfterValidator(valid_zone),
]


@router.get("/paths", response_model=PathsOut)
async def list_paths(service: Service, principal: CurrentPrincipal, db: DBSession) -> PathsOut:
    """Every path in order, its lessons, and the caller's progress on each."""
    return await service.paths(db, principal.user_id)


@router.get("/lessons/{lesson_id}", response_model=LessonOut, responses=error_responses(404))
async def read_lesson(
    lesson_id: str, service: Service, principal: CurrentPrincipal, db: DBSession
) -> Response:
    """A lesson's cards and quiz questions (never which option is correct) with the caller's progress."""
    # The JSON of LessonOut, mostly rendered once per lesson (the most read learning page).
    return Response(
        await service.lesson_json(db, principal.user_id, lesson_id), media_type="application/json"
    )


@router.post("/lessons/{lesson_id}/complete", response_model=CompleteOut, responses=error_responses(404, 409))
async def complete_lesson(
    lesson_id: str, body: CompleteIn, service: Service, principal: CurrentPrincipal, db: DBSession, now: Now
) -> CompleteOut:
    """Mark a lesson done: XP the first time only, today's streak, any new badges."""
    learner = await service.locked_learner(db, principal.user_id, now, body.time_zone)
    return await service.complete(db, learner, lesson_id)


@router.post("/lessons/{lesson_id}/quiz", response_model=QuizOut, responses=error_responses(404, 409))
async def answer_quiz(
    lesson_id: str, body: QuizIn, service: Service, principal: CurrentPrincipal, db: DBSession, now: Now
) -> QuizOut:
    """Grade some (or all) answers of an attempt; the result comes once every question has an answer."""
    learner = await service.locked_learner(db, principal.user_id, now, body.time_zone)
    return await service.answer_quiz(db, learner, lesson_id, body)


@router.get("/progress", response_model=ProgressOut)
async def read_progress(
    service: Service, principal: CurrentPrincipal, db: DBSession, now: Now, time_zone: ZoneQuery = None
) -> ProgressOut:
    """XP, level, streak, badges (earned and not yet) and progress per path."""
    learner = await service.learner(db, principal.user_id, now, time_zone)
    return await service.progress(db, learner)


@router.get("/review", response_model=ReviewQueueOut)
async def review_queue(
    service: Service,
    principal: CurrentPrincipal,
    db: DBSession,
    now: Now,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ReviewQueueOut:
    """Cards due now, oldest first (questions without their answers)."""
    return await service.review_queue(db, principal.user_id, now, limit)


@router.post("/review/{card_id}", response_model=ReviewOut, responses=error_responses(404, 409))
async def review_card(
    card_id: uuid.UUID, body: ReviewIn, service: Service, principal: CurrentPrincipal, db: DBSession, now: Now
) -> ReviewOut:
    """Grade a card (question: option_ids, graded here; term: your rating) and schedule it again."""
    learner = await service.locked_learner(db, principal.user_id, now, body.time_zone)
    return await service.review(db, learner, card_id, body)


@router.get("/glossary", response_model=GlossaryPage)
async def search_glossary(
    service: Service,
    q: Annotated[
        str | None, Query(max_length=100, description="Words to find; small typos are fine.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> GlossaryPage:
    """Search the glossary (no `q`: every term, alphabetically)."""
    return service.glossary(q, limit)


@router.get("/glossary/{term_id}", response_model=GlossaryTermDetail, responses=error_responses(404))
async def read_glossary_term(
    term_id: str, service: Service, principal: OptionalPrincipal, db: DBSession, now: Now
) -> GlossaryTermDetail:
    """One term and the lessons that use it. Signed in (guests too), it becomes a review card."""
    return await service.glossary_term(db, principal.user_id if principal else None, term_id, now)


@router.get("/recommendations", response_model=RecommendationsOut)
async def recommendations(service: Service, principal: CurrentPrincipal, db: DBSession) -> RecommendationsOut:
    """Hints from what you did elsewhere, the next lesson on your path, and topics to go over again."""
    return await service.recommendations(db, principal.user_id)


@router.get("/leaderboard", response_model=LeaderboardOut)
async def leaderboard(
    service: Service,
    principal: CurrentPrincipal,
    db: DBSession,
    now: Now,
    period: Literal["week", "all"] = "week",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> LeaderboardOut:
    """XP ranking this week (from Monday 00:00 UTC) or of all time, and the caller's own rank."""
    return await service.leaderboard(db, principal.user_id, period, now, limit)
