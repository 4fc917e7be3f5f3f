"""Quizzes through the HTTP API on both stacks: graded on the server, answers never sent early."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from eaili5.learning.content import Curriculum
from tests.learning.conftest import answer, complete, full_quiz, progress, quiz


def _walk(value: Any) -> list[str]:
    """Every key in a JSON document."""
    if isinstance(value, dict):
        return [*value.keys(), *(key for item in value.values() for key in _walk(item))]
    if isinstance(value, list):
        return [key for item in value for key in _walk(item)]
    return []


async def test_a_lesson_never_carries_correct_flags_or_explanations(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    response = await client.get("/api/learn/lessons/basics-one", headers=learner)
    assert response.status_code == 200, response.text
    body = response.json()
    keys = set(_walk(body))
    assert "correct" not in keys and "explanation" not in keys
    assert "Why a is right" not in response.text
    assert [q["id"] for q in body["quiz"]] == ["basics-one-q1", "basics-one-q2", "basics-one-q3"]
    assert body["quiz"][0]["options"] == [{"id": oid, "text": f"Option {oid}"} for oid in "abc"]
    assert body["try_it"]["symbol"] == "WETH" and body["try_it"]["token_address"].startswith("0x")
    assert body["glossary"] == [{"id": "wallet", "term": "wallet", "definition": "Holds your keys."}]
    assert body["next_lesson"]["id"] == "basics-two" and body["progress"]["completed"] is False
    review = await client.get("/api/learn/review", headers=learner)
    assert "correct" not in set(_walk(review.json()))


async def test_each_answer_is_graded_at_once_with_every_explanation(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    first = await quiz(client, learner, "basics-one", [answer("basics-one", 1, right=False)])
    assert first.status_code == 200, first.text
    body = first.json()
    assert (
        body["finished"] is False and body["result"] is None and body["answered"] == 1 and body["total"] == 3
    )
    graded = body["graded"][0]
    assert (
        graded["correct"] is False
        and graded["chosen_option_ids"] == ["b"]
        and graded["correct_option_ids"] == ["a"]
    )
    assert [(o["id"], o["correct"], o["chosen"]) for o in graded["options"]] == [
        ("a", True, False),
        ("b", False, True),
        ("c", False, False),
    ]
    assert all(o["explanation"] for o in graded["options"])
    assert body["xp_earned"] == {"total": 0, "items": []}

    rest = [answer("basics-one", 2), answer("basics-one", 3)]
    second = await quiz(client, learner, "basics-one", rest, attempt_id=body["attempt_id"])
    done = second.json()
    assert done["finished"] is True and done["attempt_id"] == body["attempt_id"]
    assert done["result"]["score_pct"] == 67 and done["result"]["correct"] == 2 and done["result"]["passed"]
    reasons = sorted((item["reason"], item["amount"]) for item in done["result"]["xp"]["items"])
    # 2 right answers (5 each) and the lesson (20); one wrong answer: no first-try bonus.
    assert reasons == [("correct_answer", 5), ("correct_answer", 5), ("lesson_complete", 20)]
    assert done["result"]["xp"]["total"] == 30 and done["streak"]["current"] == 1
    assert [badge["id"] for badge in done["new_badges"]] == ["first-lesson"]


async def test_multiple_choice_needs_exactly_the_right_set(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    partial = await quiz(
        client, learner, "basics-one", [{"question_id": "basics-one-q2", "option_ids": ["a"]}]
    )
    assert partial.json()["graded"][0]["correct"] is False
    extra = await quiz(
        client, learner, "basics-two", [{"question_id": "basics-two-q2", "option_ids": ["a", "b", "c"]}]
    )
    assert extra.json()["graded"][0]["correct"] is False
    exact = await quiz(
        client, learner, "scams-one", [{"question_id": "scams-one-q2", "option_ids": ["b", "a"]}]
    )
    assert exact.json()["graded"][0]["correct"] is True


async def test_perfect_first_try_earns_the_bonus_and_a_retry_earns_nothing_twice(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    first = await full_quiz(client, learner, "basics-one")
    items = sorted((i["reason"], i["amount"]) for i in first["result"]["xp"]["items"])
    assert items == [("correct_answer", 5)] * 3 + [("first_try_bonus", 10), ("lesson_complete", 20)]
    assert first["result"]["score_pct"] == 100 and first["attempt_number"] == 1
    assert {b["id"] for b in first["new_badges"]} == {"first-lesson", "perfect-quiz"}

    again = await full_quiz(client, learner, "basics-one")
    assert again["attempt_number"] == 2 and again["result"]["first_try"] is False
    assert again["result"]["xp"]["total"] == 0 and again["new_badges"] == []
    assert (await progress(client, learner))["xp"] == 45
    lesson = (await client.get("/api/learn/lessons/basics-one", headers=learner)).json()
    assert lesson["progress"] == {
        "completed": True,
        "best_score_pct": 100,
        "attempts": 2,
        "open_attempt_id": None,
        "answered_question_ids": [],
    }


async def test_a_wrong_first_attempt_then_a_perfect_second_gets_no_first_try_bonus(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    await full_quiz(client, learner, "basics-one", (False, False, False))
    second = await full_quiz(client, learner, "basics-one")
    reasons = [item["reason"] for item in second["result"]["xp"]["items"]]
    assert "first_try_bonus" not in reasons and reasons.count("correct_answer") == 3
    paths = (await client.get("/api/learn/paths", headers=learner)).json()["paths"]
    basics = paths[0]["lessons"][0]
    assert basics["best_score_pct"] == 100 and basics["completed"] is True


async def test_reanswering_a_question_in_the_same_attempt_is_409(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    first = (await quiz(client, learner, "basics-one", [answer("basics-one", 1)])).json()
    again = await quiz(
        client, learner, "basics-one", [answer("basics-one", 1, right=False)], attempt_id=first["attempt_id"]
    )
    assert again.status_code == 409 and again.json()["error"] == "AlreadyAnswered"
    assert "basics-one-q1" in again.json()["detail"]
    lesson = (await client.get("/api/learn/lessons/basics-one", headers=learner)).json()
    assert lesson["progress"]["open_attempt_id"] == first["attempt_id"]
    assert lesson["progress"]["answered_question_ids"] == ["basics-one-q1"]


async def test_a_finished_attempt_takes_no_more_answers(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    done = await full_quiz(client, learner, "basics-one")
    late = await quiz(client, learner, "basics-one", [answer("basics-one", 1)], attempt_id=done["attempt_id"])
    assert late.status_code == 409 and late.json()["error"] == "AttemptFinished"


async def test_bad_answers_get_clear_errors_and_change_nothing(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    cases = [
        ("nope", [answer("basics-one", 1)], {}, 404, "UnknownLesson"),
        ("basics-one", [{"question_id": "basics-two-q1", "option_ids": ["a"]}], {}, 422, "InvalidAnswer"),
        ("basics-one", [{"question_id": "basics-one-q1", "option_ids": ["z"]}], {}, 422, "InvalidAnswer"),
        (
            "basics-one",
            [{"question_id": "basics-one-q1", "option_ids": ["a", "b"]}],
            {},
            422,
            "InvalidAnswer",
        ),
        ("basics-one", [answer("basics-one", 1), answer("basics-one", 1)], {}, 422, "InvalidAnswer"),
        ("basics-one", [{"question_id": "basics-one-q1", "option_ids": []}], {}, 422, "ValidationError"),
        ("basics-one", [], {}, 422, "ValidationError"),
        ("basics-one", [answer("basics-one", 1)], {"attempt_id": str(uuid.uuid4())}, 404, "UnknownAttempt"),
        ("basics-one", [answer("basics-one", 1)], {"time_zone": "Moon/Base"}, 422, "ValidationError"),
    ]
    for lesson_id, answers, extra, status, kind in cases:
        response = await quiz(client, learner, lesson_id, answers, **extra)
        assert (response.status_code, response.json()["error"]) == (status, kind), (
            lesson_id,
            answers,
            response.text,
        )
        assert response.json()["detail"]
    view = await progress(client, learner)
    assert view["xp"] == 0 and view["streak"]["current"] == 0
    lesson = (await client.get("/api/learn/lessons/basics-one", headers=learner)).json()
    assert lesson["progress"]["attempts"] == 0


async def test_another_users_attempt_is_not_found(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    from tests.conftest import auth, new_guest

    mine = (await quiz(client, learner, "basics-one", [answer("basics-one", 1)])).json()
    token, _ = await new_guest(client)
    theirs = await quiz(
        client, auth(token), "basics-one", [answer("basics-one", 2)], attempt_id=mine["attempt_id"]
    )
    assert theirs.status_code == 404 and theirs.json()["error"] == "UnknownAttempt"


async def test_learning_needs_a_session(client: httpx.AsyncClient, learn: Curriculum) -> None:
    for method, path in [
        ("GET", "/api/learn/paths"),
        ("GET", "/api/learn/progress"),
        ("POST", "/api/learn/lessons/basics-one/complete"),
    ]:
        response = await client.request(method, path, json={} if method == "POST" else None)
        assert response.status_code == 401, path


async def test_completing_twice_pays_once(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    first = await complete(client, learner, "basics-one")
    second = await complete(client, learner, "basics-one")
    assert first.json()["xp_earned"]["total"] == 20 and first.json()["already_completed"] is False
    assert second.json()["xp_earned"]["total"] == 0 and second.json()["already_completed"] is True
    assert first.json()["next_lesson"]["id"] == "basics-two"
    assert (await complete(client, learner, "missing")).status_code == 404


async def test_unknown_lessons_and_cards_are_404(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    lesson = await client.get("/api/learn/lessons/no-such-lesson", headers=learner)
    assert lesson.status_code == 404 and lesson.json()["error"] == "UnknownLesson"
    assert "no-such-lesson" in lesson.json()["detail"]
    card = await client.post(f"/api/learn/review/{uuid.uuid4()}", json={"rating": "good"}, headers=learner)
    assert card.status_code == 404 and card.json()["error"] == "UnknownCard"
    not_uuid = await client.post("/api/learn/review/abc", json={"rating": "good"}, headers=learner)
    assert not_uuid.status_code == 422
