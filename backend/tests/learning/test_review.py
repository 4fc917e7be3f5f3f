"""Spaced review: missed questions and looked-up terms become FSRS cards (both stacks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from eaili5.learning.content import Curriculum
from tests.learning.conftest import Clock, answer, full_quiz, progress, quiz


async def _queue(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get("/api/learn/review", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def test_a_missed_question_is_due_now_and_grading_reschedules_it(
    client: httpx.AsyncClient, learner: dict[str, str], clock: Clock, learn: Curriculum
) -> None:
    await full_quiz(client, learner, "basics-one", (True, False, True))
    queue = await _queue(client, learner)
    assert queue["due_count"] == 1 and len(queue["cards"]) == 1
    card = queue["cards"][0]
    assert card["kind"] == "question" and card["term"] is None and card["reviews"] == 0
    assert (
        card["question"]["id"] == "basics-one-q2" and card["question"]["lesson_title"] == "Lesson basics-one"
    )
    assert all(set(option) == {"id", "text"} for option in card["question"]["options"])

    wrong = await client.post(f"/api/learn/review/{card['id']}", json={"option_ids": ["a"]}, headers=learner)
    assert wrong.status_code == 200, wrong.text
    body = wrong.json()
    assert body["correct"] is False and body["rating"] == "again"
    assert body["graded"]["correct_option_ids"] == ["a", "b"]
    again_due = _at(body["due_at"])
    assert clock.now < again_due and body["interval_seconds"] <= 600  # a learning step: minutes, not days
    assert (await _queue(client, learner))["due_count"] == 0
    assert (await _queue(client, learner))["next_due_at"] is not None

    clock.now = again_due
    right = await client.post(
        f"/api/learn/review/{card['id']}", json={"option_ids": ["b", "a"]}, headers=learner
    )
    assert right.json()["correct"] is True and right.json()["rating"] == "good"
    good_due = _at(right.json()["due_at"])
    assert good_due > clock.now
    clock.now = good_due
    third = await client.post(
        f"/api/learn/review/{card['id']}", json={"option_ids": ["a", "b"]}, headers=learner
    )
    # Graduated to review: the next interval is days, not minutes.
    assert third.json()["interval_seconds"] >= 86400, third.json()
    assert (await progress(client, learner))["streak"]["current"] == 1


async def test_missing_the_same_question_again_does_not_duplicate_its_card(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    await full_quiz(client, learner, "basics-one", (False, True, True))
    await full_quiz(client, learner, "basics-one", (False, True, True))
    queue = await _queue(client, learner)
    assert [card["question"]["id"] for card in queue["cards"]] == ["basics-one-q1"]


async def test_a_looked_up_term_becomes_a_card_due_tomorrow(
    client: httpx.AsyncClient, learner: dict[str, str], clock: Clock, learn: Curriculum
) -> None:
    term = await client.get("/api/learn/glossary/seed-phrase", headers=learner)
    assert term.status_code == 200 and term.json()["review_card"] is True
    assert term.json()["definition"] == "Your secret words."
    assert (await _queue(client, learner))["due_count"] == 0
    clock.advance(days=1, seconds=1)
    queue = await _queue(client, learner)
    card = queue["cards"][0]
    assert card["kind"] == "term" and card["term"]["term"] == "seed phrase" and card["question"] is None
    wrong_body = await client.post(
        f"/api/learn/review/{card['id']}", json={"option_ids": ["a"]}, headers=learner
    )
    assert wrong_body.status_code == 422 and wrong_body.json()["error"] == "InvalidAnswer"
    graded = await client.post(f"/api/learn/review/{card['id']}", json={"rating": "easy"}, headers=learner)
    assert graded.status_code == 200 and graded.json()["correct"] is None
    assert graded.json()["interval_seconds"] >= 86400
    # Opening the term again keeps the one card.
    await client.get("/api/learn/glossary/seed-phrase", headers=learner)
    assert (await _queue(client, learner))["next_due_at"] == graded.json()["due_at"]


async def test_ten_reviews_earn_the_reviewer_badge(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    await quiz(client, learner, "basics-one", [answer("basics-one", 1, right=False)])
    card_id = (await _queue(client, learner))["cards"][0]["id"]
    earned: list[str] = []
    for _ in range(10):
        response = await client.post(
            f"/api/learn/review/{card_id}", json={"option_ids": ["b"]}, headers=learner
        )
        earned += [badge["id"] for badge in response.json()["new_badges"]]
    assert earned == ["reviewer"]


async def test_someone_elses_card_or_a_bad_body_is_refused(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    from tests.conftest import auth, new_guest

    await quiz(client, learner, "basics-one", [answer("basics-one", 1, right=False)])
    card_id = (await _queue(client, learner))["cards"][0]["id"]
    token, _ = await new_guest(client)
    other = await client.post(f"/api/learn/review/{card_id}", json={"option_ids": ["a"]}, headers=auth(token))
    assert other.status_code == 404 and other.json()["error"] == "UnknownCard"
    rating = await client.post(f"/api/learn/review/{card_id}", json={"rating": "good"}, headers=learner)
    assert rating.status_code == 422 and rating.json()["error"] == "InvalidAnswer"
    unknown = await client.post(f"/api/learn/review/{card_id}", json={"option_ids": ["zz"]}, headers=learner)
    assert unknown.status_code == 422
    bad_rating = await client.post(
        f"/api/learn/review/{card_id}", json={"rating": "perfect"}, headers=learner
    )
    assert bad_rating.status_code == 422 and bad_rating.json()["error"] == "ValidationError"
