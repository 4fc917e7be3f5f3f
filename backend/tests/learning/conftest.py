"""Learning tests run the real app on both stacks with a small curriculum of our own (so the rules are
tested whatever the writers have shipped so far) and a clock the test sets (midnight, DST: no sleeping)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from eaili5.learning.content import (
    Curriculum,
    GlossaryFile,
    LessonFile,
    PathsFile,
    build_curriculum,
)
from eaili5.learning.router import current_time
from tests.conftest import auth, new_guest

BODY = "A short card body. " * 6


def question(lesson_id: str, n: int, kind: str, topic: str) -> dict[str, Any]:
    """q1 single (a right), q2 multiple (a and b right), q3 true/false (true right)."""
    if kind == "true_false":
        options = [("true", True), ("false", False)]
    elif kind == "multiple":
        options = [("a", True), ("b", True), ("c", False), ("d", False)]
    else:
        options = [("a", True), ("b", False), ("c", False)]
    return {
        "id": f"{lesson_id}-q{n}",
        "kind": kind,
        "prompt": f"Question {n} of {lesson_id}?",
        "topic": topic,
        "options": [
            {
                "id": oid,
                "text": f"Option {oid}",
                "correct": ok,
                "explanation": f"Why {oid} is {'right' if ok else 'wrong'}.",
            }
            for oid, ok in options
        ],
    }


def lesson(lesson_id: str, prerequisites: tuple[str, ...] = (), topic: str = "basics") -> dict[str, Any]:
    return {
        "id": lesson_id,
        "title": f"Lesson {lesson_id}",
        "summary": "One sentence.",
        "minutes": 3,
        "prerequisites": list(prerequisites),
        "analogy": "Like a piggy bank.",
        "cards": [{"title": f"Card {i}", "body": BODY} for i in range(3)],
        "takeaways": ["One.", "Two."],
        "try_it": {"kind": "trade", "label": "Try a trade", "symbol": "WETH"},
        "glossary": ["wallet"],
        "quiz": [
            question(lesson_id, 1, "single", topic),
            question(lesson_id, 2, "multiple", f"{topic}-more"),
            question(lesson_id, 3, "true_false", topic),
        ],
    }


PATHS = [
    ("crypto-basics", 1, ["basics-one", "basics-two"]),
    ("tokens-dexs", 2, ["dex-liquidity-and-price-impact"]),
    ("scams-self-defence", 3, ["scams-one", "scams-two"]),
]


def make_curriculum() -> Curriculum:
    paths = PathsFile.model_validate(
        {
            "paths": [
                {"id": pid, "title": pid.title(), "summary": "A path.", "order": order, "lessons": lessons}
                for pid, order, lessons in PATHS
            ]
        }
    )
    files = [
        LessonFile.model_validate(
            {
                "path": "crypto-basics",
                "lessons": [lesson("basics-one"), lesson("basics-two", ("basics-one",))],
            }
        ),
        LessonFile.model_validate(
            {"path": "tokens-dexs", "lessons": [lesson("dex-liquidity-and-price-impact", topic="slippage")]}
        ),
        LessonFile.model_validate(
            {
                "path": "scams-self-defence",
                "lessons": [lesson("scams-one", topic="phishing"), lesson("scams-two", topic="rug-pull")],
            }
        ),
    ]
    glossary = GlossaryFile.model_validate(
        {
            "about": "test",
            "terms": [
                {
                    "id": "wallet",
                    "term": "wallet",
                    "aliases": ["crypto wallet"],
                    "definition": "Holds your keys.",
                    "topic": "wallets",
                },
                {
                    "id": "slippage",
                    "term": "slippage",
                    "aliases": [],
                    "definition": "Price change in a trade.",
                    "topic": "trading",
                },
                {
                    "id": "seed-phrase",
                    "term": "seed phrase",
                    "aliases": ["recovery phrase"],
                    "definition": "Your secret words.",
                    "topic": "wallets",
                },
            ],
        }
    )
    return build_curriculum(paths, files, glossary)


CURRICULUM = make_curriculum()
RIGHT = {1: ["a"], 2: ["a", "b"], 3: ["true"]}
WRONG = {1: ["b"], 2: ["a"], 3: ["false"]}


def answer(lesson_id: str, n: int, right: bool = True) -> dict[str, Any]:
    return {"question_id": f"{lesson_id}-q{n}", "option_ids": (RIGHT if right else WRONG)[n]}


@dataclass
class Clock:
    now: datetime

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(app: Any) -> Clock:
    current = Clock(datetime(2026, 3, 4, 12, 0, tzinfo=UTC))
    app.dependency_overrides[current_time] = lambda: current.now
    return current


@pytest.fixture
def learn(app: Any, clock: Clock) -> Curriculum:
    """The test curriculum, served by the app under test."""
    app.state.learning_curriculum = CURRICULUM
    return CURRICULUM


@pytest.fixture
async def learner(client: httpx.AsyncClient, learn: Curriculum) -> dict[str, str]:
    token, _ = await new_guest(client)
    return auth(token)


async def quiz(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    lesson_id: str,
    answers: list[dict[str, Any]],
    **extra: Any,
) -> httpx.Response:
    return await client.post(
        f"/api/learn/lessons/{lesson_id}/quiz", json={"answers": answers, **extra}, headers=headers
    )


async def full_quiz(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    lesson_id: str,
    right: tuple[bool, bool, bool] = (True, True, True),
    **extra: Any,
) -> dict[str, Any]:
    response = await quiz(
        client,
        headers,
        lesson_id,
        [answer(lesson_id, n, ok) for n, ok in zip((1, 2, 3), right, strict=True)],
        **extra,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def complete(
    client: httpx.AsyncClient, headers: dict[str, str], lesson_id: str, **body: Any
) -> httpx.Response:
    return await client.post(f"/api/learn/lessons/{lesson_id}/complete", json=body, headers=headers)


async def progress(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = await client.get("/api/learn/progress", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.fixture
async def learner_on_shipped_content(client: httpx.AsyncClient) -> dict[str, str]:
    token, _ = await new_guest(client)
    return auth(token)
