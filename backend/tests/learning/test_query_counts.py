"""The learning hot paths send a bounded number of SQL statements, whatever the learner's history.

Counts statements on the app's own engine (no timing): the lesson page, a quiz answer and the paths
page cost the same after a long history as after a short one (no statement per attempt, answer or
lesson), and stay under fixed budgets, on both stacks.
"""

from __future__ import annotations

from typing import Any

import httpx

from eaili5.learning.content import Curriculum
from tests.learning.conftest import answer, full_quiz, quiz
from tests.sql_recording import from_this_task, one_line, recorded_statements

LESSON = "basics-one"
# Budgets: what each request needs today plus a little headroom; an N+1 blows through them.
LESSON_READ_BUDGET = 3  # lesson state in one query, + the open attempt's answers
# Quiz answer: the lock + one snapshot read (XP keys, days, badges, progress, the attempt, the missed
# questions' cards) + the writes: one statement on PostgreSQL, one per table touched on SQLite
# (attempt, answers, XP, card). Finishing adds the progress and the attempt's score, and the result's XP.
QUIZ_ANSWER_BUDGET = {"postgresql": 3, "sqlite": 6}
QUIZ_FINISH_BUDGET = {"postgresql": 4, "sqlite": 9}
PATHS_BUDGET = 2


async def _costs(app: Any, client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, list[str]]:
    """Statements of: the lesson page, a new attempt's first answer (right), its second (wrong), the
    lesson page with that attempt open, and the paths page."""
    costs: dict[str, list[str]] = {}
    with recorded_statements(app, from_this_task()) as counter:
        assert (await client.get(f"/api/learn/lessons/{LESSON}", headers=headers)).status_code == 200
    costs["lesson"] = one_line(counter)
    with recorded_statements(app, from_this_task()) as counter:
        first = await quiz(client, headers, LESSON, [answer(LESSON, 1)])
        assert first.status_code == 200, first.text
    costs["quiz_first_answer"] = one_line(counter)
    attempt_id = first.json()["attempt_id"]
    with recorded_statements(app, from_this_task()) as counter:
        second = await quiz(client, headers, LESSON, [answer(LESSON, 2, right=False)], attempt_id=attempt_id)
        assert second.status_code == 200, second.text
    costs["quiz_next_answer"] = one_line(counter)
    with recorded_statements(app, from_this_task()) as counter:
        assert (await client.get(f"/api/learn/lessons/{LESSON}", headers=headers)).status_code == 200
    costs["lesson_open_attempt"] = one_line(counter)
    with recorded_statements(app, from_this_task()) as counter:
        assert (await client.get("/api/learn/paths", headers=headers)).status_code == 200
    costs["paths"] = one_line(counter)
    # The last answer finishes the attempt: no attempt is left open for the next round.
    with recorded_statements(app, from_this_task()) as counter:
        last = await quiz(client, headers, LESSON, [answer(LESSON, 3)], attempt_id=attempt_id)
        assert last.status_code == 200 and last.json()["finished"], last.text
    costs["quiz_last_answer"] = one_line(counter)
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
    database = app.state.eaili5.settings.database_backend
    assert len(long["quiz_first_answer"]) <= QUIZ_ANSWER_BUDGET[database], long["quiz_first_answer"]
    assert len(long["quiz_next_answer"]) <= QUIZ_ANSWER_BUDGET[database], long["quiz_next_answer"]
    assert len(long["quiz_last_answer"]) <= QUIZ_FINISH_BUDGET[database], long["quiz_last_answer"]
    assert len(long["paths"]) <= PATHS_BUDGET, long["paths"]


async def test_a_full_quiz_in_one_request_costs_no_statement_per_answer(
    app: Any, client: httpx.AsyncClient, learn: Curriculum, learner: dict[str, str]
) -> None:
    """Three answers at once are written together: not three times the statements of one answer."""
    await full_quiz(client, learner, LESSON)  # the day, the lesson and its XP keys exist from here on
    with recorded_statements(app, from_this_task()) as one:
        response = await quiz(client, learner, LESSON, [answer(LESSON, 1, right=False)])
        assert response.status_code == 200, response.text
    await quiz(
        client,
        learner,
        LESSON,
        [answer(LESSON, 2), answer(LESSON, 3)],
        attempt_id=response.json()["attempt_id"],
    )
    with recorded_statements(app, from_this_task()) as three:
        await full_quiz(client, learner, LESSON, right=(False, False, False))
    # Finishing adds the lesson's progress, the result's XP and the finished attempt: a fixed few.
    assert len(one_line(three)) <= len(one_line(one)) + 4, (one_line(one), one_line(three))
