"""The lesson page is served from a rendering of the lesson kept per process plus the learner's progress:
these tests hold its bytes to what FastAPI would send for the same LessonOut, in every state."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from pydantic import TypeAdapter

from eaili5.learning.content import Curriculum, load_curriculum
from eaili5.learning.schemas import LessonOut, LessonProgress
from eaili5.learning.service import LearningService
from tests.conftest import auth, new_guest
from tests.learning.conftest import answer, full_quiz, quiz

AS_FASTAPI_SENDS = TypeAdapter(LessonOut)  # what a route with response_model=LessonOut serializes with


async def _expected(app: Any, learn: Curriculum, user_id: uuid.UUID, lesson_id: str) -> bytes:
    service = LearningService(learn, app.state.eaili5.market.symbol_addresses)  # nothing kept yet
    async with app.state.eaili5.db.transaction() as db:
        return AS_FASTAPI_SENDS.dump_json(await service.lesson(db, user_id, lesson_id))


async def test_the_lesson_page_is_the_lessonout_json_before_during_and_after_a_quiz(
    app: Any, client: httpx.AsyncClient, learn: Curriculum
) -> None:
    token, user = await new_guest(client)
    headers, user_id = auth(token), uuid.UUID(user["id"])

    async def page_matches(lesson_id: str) -> dict[str, Any]:
        response = await client.get(f"/api/learn/lessons/{lesson_id}", headers=headers)
        assert response.status_code == 200 and response.headers["content-type"] == "application/json"
        assert response.content == await _expected(app, learn, user_id, lesson_id)
        return dict(response.json())

    for lesson_id in learn.lessons:
        assert (await page_matches(lesson_id))["progress"]["attempts"] == 0
    first = await quiz(client, headers, "basics-one", [answer("basics-one", 2, right=False)])
    progress = (await page_matches("basics-one"))["progress"]
    assert progress["open_attempt_id"] == first.json()["attempt_id"]
    assert progress["answered_question_ids"] == ["basics-one-q2"]
    await quiz(
        client,
        headers,
        "basics-one",
        [answer("basics-one", 1), answer("basics-one", 3)],
        attempt_id=progress["open_attempt_id"],
    )
    await full_quiz(client, headers, "basics-one")
    progress = (await page_matches("basics-one"))["progress"]
    assert progress == {
        "completed": True,
        "best_score_pct": 100,
        "attempts": 2,
        "open_attempt_id": None,
        "answered_question_ids": [],
    }
    assert (await page_matches("basics-two"))["prerequisites"][0]["id"] == "basics-one"


def test_every_shipped_lesson_renders_the_same_through_its_kept_frame() -> None:
    """The shipped content (not only the test curriculum) splits cleanly around its progress."""
    curriculum = load_curriculum()
    service = LearningService(curriculum, {"WETH": "0x" + "ab" * 20})
    progress = LessonProgress(
        completed=True,
        best_score_pct=67,
        attempts=3,
        open_attempt_id=uuid.uuid4(),
        answered_question_ids=["a", "b"],
    )
    assert curriculum.lessons
    for lesson in curriculum.lessons.values():
        before, after = service._lesson_frame(lesson)
        page = before + TypeAdapter(LessonProgress).dump_json(progress) + after
        assert page == AS_FASTAPI_SENDS.dump_json(service._lesson_out(lesson, progress)), lesson.id
