"""The quiz answer's writes on PostgreSQL: one statement, whose compiled form SQLAlchemy finds in its cache.

A multi-row `insert().values([...])` has no cache key, so a statement built from it is compiled again on
every request; the write is sent as a cacheable text clause instead. These tests watch the statements the
app sends (no mock): the write is one statement, the second answer of the same shape reuses the compiled
form of the first, and the text sends the SQL the CTE statement itself would send. SQLite writes one
statement per table and is not concerned.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.engine.interfaces import CacheStats

from eaili5.learning import repository
from eaili5.learning.content import Curriculum
from tests.conftest import auth, new_guest
from tests.learning.conftest import answer, quiz
from tests.sql_recording import SentStatement, from_this_task, recorded_statements

LESSON = "basics-one"


@pytest.fixture
def postgresql_app(app: Any) -> Any:
    if app.state.eaili5.settings.database_backend != "postgresql":
        pytest.skip("SQLite writes one statement per table (no DML in WITH)")
    return app


def writes(sent: list[SentStatement]) -> list[SentStatement]:
    """The statements that write the answer: all but the reads and the learner's lock."""
    return [seen for seen in sent if "INSERT" in seen.sql or "UPDATE quiz" in seen.sql]


async def first_answer(app: Any, client: httpx.AsyncClient) -> list[SentStatement]:
    """A new learner's first (right) answer: a new attempt, its answer, the XP and the day, every time."""
    token, _ = await new_guest(client)
    with recorded_statements(app, from_this_task()) as sent:
        response = await quiz(client, auth(token), LESSON, [answer(LESSON, 1)])
        assert response.status_code == 200, response.text
    return writes(sent)


async def test_the_writes_of_an_answer_are_one_statement_found_in_the_compiled_cache(
    postgresql_app: Any, client: httpx.AsyncClient, learn: Curriculum
) -> None:
    first = await first_answer(postgresql_app, client)
    second = await first_answer(postgresql_app, client)

    assert len(first) == 1 and len(second) == 1, [seen.short(80) for seen in first + second]
    first_sql, first_context = first[0].sql, first[0].context
    second_sql, second_context = second[0].sql, second[0].context
    for cte in ("insert_attempts", "insert_answers", "insert_awards", "insert_days"):
        assert cte in first_sql, first_sql
    assert second_sql == first_sql
    # Compiled again per request, the second answer would get a compiled object of its own.
    assert second_context.cache_hit is CacheStats.CACHE_HIT, second_context.cache_hit
    assert second_context.compiled is first_context.compiled


def test_the_text_sends_the_sql_and_parameters_of_the_statement_it_was_rendered_from(
    postgresql_app: Any,
) -> None:
    """Every part of a write (inserts of several rows, the attempt, two cards and the progress updated):
    the text, compiled by the app's own dialect, is the CTE statement's SQL, with the same bind names in
    the same order, types and fixed values (`completed = true`)."""
    user, attempt, card = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    now = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    answers = [
        {
            "id": uuid.uuid4(),
            "attempt_id": attempt,
            "user_id": user,
            "question_id": f"{LESSON}-q{n}",
            "chosen": {"ids": ["a"]},
            "correct": True,
            "answered_at": now,
        }
        for n in (1, 2)
    ]
    badge = {"id": uuid.uuid4(), "user_id": user, "badge": "first-lesson", "earned_at": now}
    writes = repository.QuizWrites(
        attempt_update={
            "attempt_id": attempt,
            "new_correct_count": 2,
            "new_score_pct": 66,
            "new_finished_at": now,
        },
        card_updates=[{"card_id": card, "new_fsrs": {"s": 1}, "new_due": now}] * 2,
        progress_update={"for_user": user, "for_topic": LESSON, "new_score": 66},
    )
    writes.add("answers", answers)
    writes.add("badges", [badge])
    shape, params = repository._shape_and_params(writes)
    dialect = postgresql_app.state.eaili5.db.engine.sync_engine.dialect

    expected = repository._built_statement(shape).compile(dialect=dialect)
    got = repository._statement_for(shape).compile(dialect=dialect)

    assert got.string == expected.string
    assert got.positiontup == expected.positiontup
    assert got.construct_params(params) == expected.construct_params(params)
    for name in expected.positiontup or []:
        assert type(got.binds[name].type) is type(expected.binds[name].type), name
    assert repository._statement_for(shape) is repository._statement_for(shape)
