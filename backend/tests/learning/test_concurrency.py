"""Concurrent requests of one learner never pay XP twice (both stacks)."""

from __future__ import annotations

import asyncio

import httpx

from eaili5.learning.content import Curriculum
from tests.learning.conftest import answer, complete, progress, quiz


async def test_ten_concurrent_completes_pay_the_lesson_xp_once(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    responses = await asyncio.gather(*(complete(client, learner, "basics-one") for _ in range(10)))
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    paid = [r.json()["xp_earned"]["total"] for r in responses]
    assert sorted(paid) == [0] * 9 + [20]
    assert sum(r.json()["already_completed"] is False for r in responses) == 1
    assert sum(len(r.json()["new_badges"]) for r in responses) == 1  # first-lesson, once
    view = await progress(client, learner)
    assert view["xp"] == 20 and view["lessons_completed"] == 1


async def test_the_same_answer_sent_concurrently_is_recorded_once(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    started = (await quiz(client, learner, "basics-one", [answer("basics-one", 1)])).json()
    extra = {"attempt_id": started["attempt_id"]}
    responses = await asyncio.gather(
        *(quiz(client, learner, "basics-one", [answer("basics-one", 2)], **extra) for _ in range(6))
    )
    assert sorted(r.status_code for r in responses) == [200] + [409] * 5, [r.text for r in responses]
    assert (await progress(client, learner))["xp"] == 10


async def test_concurrent_first_attempts_get_distinct_numbers(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    responses = await asyncio.gather(
        *(quiz(client, learner, "basics-two", [answer("basics-two", n)]) for n in (1, 2, 3))
    )
    assert sorted(r.json()["attempt_number"] for r in responses) == [1, 2, 3]
    assert (await progress(client, learner))["xp"] == 15  # each question right once
