"""The learning hot paths send a bounded number of SQL statements, whatever the learner's history.

Counts statements on the app's own engine (no timing): the lesson page, a quiz answer and the paths
page cost the same after a long history as after a short one (no statement per attempt, answer or
lesson), and stay under fixed budgets, on both stacks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event

from eaili5.learning.content import Curriculum
from tests.learning.conftest import answer, full_quiz, quiz

LESSON = "basics-one"
# Budgets: what each request needs today plus a little headroom; an N+1 blows through them.
LESSON_READ_BUDGET = 3  # lesson state in one query, + the open attempt's answers
QUIZ_ANSWER_BUDGET = 12  # lock + attempt + answers + held XP keys + days + writes + badges and their facts
PATHS_BUDGET = 2


class StatementCounter:
    """Statements sent from this test's task: the request runs in it (httpx's ASGI transport), the app's
    background work (market ticks, order checks) runs in tasks of its own and is not counted."""

    def __init__(self) -> None:
        self.task = asyncio.current_task()
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if asyncio.current_task() is self.task:
            self.statements.append(" ".join(statement.split())[:120])


@contextmanager
def counting(app: Any) -> Iterator[StatementCounter]:
    engine = app.state.eaili5.db.engine.sync_engine
    counter = StatementCounter()
    event.listen(engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter)


async def _costs(app: Any, client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, list[str]]:
    """Statements of: the lesson page, a new attempt's first answer (right), its second (wrong), the
    lesson page with that attempt open, and the paths page."""
    costs: dict[str, list[str]] = {}
    with counting(app) as counter:
        assert (await client.get(f"/api/learn/lessons/{LESSON}", headers=headers)).status_code == 200
    costs["lesson"] = counter.statements
    with counting(app) as counter:
        first = await quiz(client, headers, LESSON, [answer(LESSON, 1)])
        assert first.status_code == 200, first.text
    costs["quiz_first_answer"] = counter.statements
    attempt_id = first.json()["attempt_id"]
    with counting(app) as counter:
        second = await quiz(client, headers, LESSON, [answer(LESSON, 2, right=False)], attempt_id=attempt_id)
        assert second.status_code == 200, second.text
    costs["quiz_next_answer"] = counter.statements
    with counting(app) as counter:
        assert (await client.get(f"/api/learn/lessons/{LESSON}", headers=headers)).status_code == 200
    costs["lesson_open_attempt"] = counter.statements
    with counting(app) as counter:
        assert (await client.get("/api/learn/paths", headers=headers)).status_code == 200
    costs["paths"] = counter.statements
    # Leave no attempt open, so the next round starts from the same kind of state.
    last = await quiz(client, headers, LESSON, [answer(LESSON, 3)], attempt_id=attempt_id)
    assert last.status_code == 200 and last.json()["finished"], last.text
    return costs


async def test_statement_counts_do_not_grow_with_the_learners_history(
    app: Any, client: httpx.AsyncClient, learn: Curriculum, learner: dict[str, str]
) -> None:
    await full_quiz(client, learner, LESSON)
    short = await _costs(app, client, learner)
    for _ in range(4):  # a long history: many finished attempts, answers, misses and lessons
        for lesson_id in learn.lessons:
            await full_quiz(client, learner, lesson_id, right=(True, False, True))
    long = await _costs(app, client, learner)

    for name, statements in short.items():
        assert len(long[name]) == len(statements), (name, statements, long[name])
    assert len(long["lesson"]) <= LESSON_READ_BUDGET - 1, long["lesson"]
    assert len(long["lesson_open_attempt"]) <= LESSON_READ_BUDGET, long["lesson_open_attempt"]
    assert len(long["quiz_first_answer"]) <= QUIZ_ANSWER_BUDGET, long["quiz_first_answer"]
    assert len(long["quiz_next_answer"]) <= QUIZ_ANSWER_BUDGET, long["quiz_next_answer"]
    assert len(long["paths"]) <= PATHS_BUDGET, long["paths"]


async def test_a_full_quiz_in_one_request_costs_no_statement_per_answer(
    app: Any, client: httpx.AsyncClient, learn: Curriculum, learner: dict[str, str]
) -> None:
    """Three answers at once are written together: not three times the statements of one answer."""
    await full_quiz(client, learner, LESSON)  # the day, the lesson and its XP keys exist from here on
    with counting(app) as one:
        response = await quiz(client, learner, LESSON, [answer(LESSON, 1, right=False)])
        assert response.status_code == 200, response.text
    await quiz(
        client,
        learner,
        LESSON,
        [answer(LESSON, 2), answer(LESSON, 3)],
        attempt_id=response.json()["attempt_id"],
    )
    with counting(app) as three:
        await full_quiz(client, learner, LESSON, right=(False, False, False))
    # Finishing adds the lesson's progress, the result's XP and the finished attempt: a fixed few.
    assert len(three.statements) <= len(one.statements) + 4, (one.statements, three.statements)
