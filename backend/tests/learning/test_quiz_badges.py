"""A quiz answer decides XP, streak and badges from what it read before writing (one snapshot) plus
what it changes; these tests hold that decision to the database's own facts, read afresh afterwards."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from eaili5.learning import rules
from eaili5.learning.content import Curriculum
from eaili5.learning.service import LearningService
from tests.conftest import auth, new_guest
from tests.learning.conftest import Clock, answer, quiz


async def _badges_from_the_database(app: Any, learn: Curriculum, user_id: uuid.UUID, streak: int) -> set[str]:
    """What the badge rules say about the learner's rows as stored (the read the quiz path skips)."""
    service = LearningService(learn)
    async with app.state.eaili5.db.transaction() as db:
        facts = await service._facts(db, user_id, streak)
    return rules.earned_badges(facts, learn)


async def test_badges_from_one_answer_at_a_time_match_the_stored_facts(
    app: Any, client: httpx.AsyncClient, learn: Curriculum, clock: Clock
) -> None:
    """Fail a scams quiz, pass it on a retry, fail it again, finish the path, answer by answer: after
    every answer the badges held are exactly the ones the stored rows earn, each reported once."""
    token, user = await new_guest(client)
    headers, user_id = auth(token), uuid.UUID(user["id"])
    plan = [
        ("scams-one", (False, False, True)),  # 33%: completed, not passed
        ("scams-one", (True, True, False)),  # 67%: passed on a retry
        ("scams-one", (False, False, False)),  # 0%: the best score stays 67
        ("scams-two", (True, True, True)),  # perfect: the path is done and every quiz passed
        ("basics-one", (True, False, True)),
    ]
    reported: list[str] = []
    for day, (lesson_id, right) in enumerate(plan):
        attempt_id = None
        for n, ok in enumerate(right, start=1):
            response = await quiz(
                client, headers, lesson_id, [answer(lesson_id, n, ok)], attempt_id=attempt_id
            )
            assert response.status_code == 200, response.text
            body = response.json()
            attempt_id = body["attempt_id"]
            reported += [badge["id"] for badge in body["new_badges"]]
            held = {
                badge["id"]
                for badge in (await client.get("/api/learn/progress", headers=headers)).json()["badges"]
                if badge["earned"]
            }
            assert held == set(reported)
            stored = await _badges_from_the_database(app, learn, user_id, body["streak"]["current"])
            assert held == stored, (lesson_id, n, held, stored)
        assert body["finished"] and body["streak"]["current"] == day + 1
        clock.advance(days=1)
    assert len(reported) == len(set(reported))
    assert {"first-lesson", "first-path", "scam-spotter", "perfect-quiz"} <= set(reported)


async def test_each_xp_key_is_paid_once_across_answers_and_attempts(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    """One answer per request over two attempts: the ledger holds each question, the lesson and the day
    once, and each attempt's result lists what that attempt earned."""
    results = []
    for right in ((False, True, True), (True, True, True)):
        attempt_id = None
        for n, ok in enumerate(right, start=1):
            response = await quiz(
                client, learner, "basics-one", [answer("basics-one", n, ok)], attempt_id=attempt_id
            )
            assert response.status_code == 200, response.text
            attempt_id = response.json()["attempt_id"]
        results.append(response.json()["result"])
    first = sorted((item["reason"], item["detail"]) for item in results[0]["xp"]["items"])
    assert first == [
        ("correct_answer", "basics-one-q2"),
        ("correct_answer", "basics-one-q3"),
        ("lesson_complete", "basics-one"),
    ]
    assert results[1]["xp"]["items"] == [
        {"reason": "correct_answer", "amount": 5, "detail": "basics-one-q1"}
    ]  # no first-try bonus on attempt 2, nothing paid twice
    progress = (await client.get("/api/learn/progress", headers=learner)).json()
    assert progress["xp"] == 3 * rules.XP_CORRECT_ANSWER + rules.XP_LESSON_COMPLETE
