"""Paths with progress, glossary search and recommendations through the API (both stacks)."""

from __future__ import annotations

import httpx

from eaili5.learning.content import Curriculum, load_curriculum
from tests.learning.conftest import complete, full_quiz, progress


async def test_paths_show_progress_and_prerequisites(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    await complete(client, learner, "basics-one")
    paths = (await client.get("/api/learn/paths", headers=learner)).json()["paths"]
    assert [p["id"] for p in paths] == ["crypto-basics", "tokens-dexs", "scams-self-defence"]
    basics = paths[0]
    assert (basics["completed"], basics["total"], basics["percent"]) == (1, 2, 50)
    one, two = basics["lessons"]
    assert one["completed"] and one["best_score_pct"] is None  # completed without a quiz yet
    assert not two["completed"] and two["prerequisites_met"]
    view = await progress(client, learner)
    assert view["lessons_completed"] == 1 and view["lessons_total"] == 5
    assert view["paths"][0]["percent"] == 50 and view["level"] == {
        "level": 1,
        "xp_into_level": 20,
        "xp_for_next_level": 100,
    }
    assert {badge["id"] for badge in view["badges"]} == {
        "first-lesson",
        "first-path",
        "streak-7",
        "scam-spotter",
        "perfect-quiz",
        "first-practice-trade",
        "reviewer",
    }


async def test_finishing_a_path_and_the_scams_path_earn_their_badges(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    await full_quiz(client, learner, "scams-one", (True, True, False))  # 67%: passed
    done = await full_quiz(client, learner, "scams-two", (True, False, True))
    assert {badge["id"] for badge in done["new_badges"]} == {"first-path", "scam-spotter"}


async def test_recommendations_next_lesson_and_weak_topics(
    client: httpx.AsyncClient, learner: dict[str, str], learn: Curriculum
) -> None:
    first = (await client.get("/api/learn/recommendations", headers=learner)).json()["items"]
    assert [(item["kind"], item["lesson"]["id"]) for item in first] == [("next_lesson", "basics-one")]
    await full_quiz(client, learner, "scams-one", (False, True, False))
    items = (await client.get("/api/learn/recommendations", headers=learner)).json()["items"]
    assert items[0]["kind"] == "next_lesson" and items[0]["lesson"]["id"] == "scams-two"
    weak = [item for item in items if item["kind"] == "weak_topic"]
    assert [(item["topic"], item["lesson"]["id"]) for item in weak] == [("phishing", "scams-one")]
    assert "2 questions about phishing" in weak[0]["reason"]


async def test_glossary_search_and_terms_work_without_a_session(
    client: httpx.AsyncClient, learn: Curriculum
) -> None:
    everything = (await client.get("/api/learn/glossary")).json()
    assert everything["total"] == 3 and [t["id"] for t in everything["items"]] == [
        "seed-phrase",
        "slippage",
        "wallet",
    ]
    found = (await client.get("/api/learn/glossary", params={"q": "walet"})).json()
    assert [t["id"] for t in found["items"]] == ["wallet"]
    term = await client.get("/api/learn/glossary/wallet")
    assert term.status_code == 200 and term.json()["review_card"] is False
    assert {lesson["id"] for lesson in term.json()["lessons"]} == set(learn.lessons)
    missing = await client.get("/api/learn/glossary/nope")
    assert missing.status_code == 404 and missing.json()["error"] == "UnknownTerm"
    bad_token = await client.get("/api/learn/glossary/wallet", headers={"Authorization": "Bearer nope"})
    assert bad_token.status_code == 401


async def test_the_shipped_curriculum_is_served_whatever_is_written_so_far(
    client: httpx.AsyncClient, learner_on_shipped_content: dict[str, str]
) -> None:
    shipped = load_curriculum()
    paths = (await client.get("/api/learn/paths", headers=learner_on_shipped_content)).json()["paths"]
    assert [p["id"] for p in paths] == [p.id for p in shipped.paths]
    for lesson_id in list(shipped.lessons)[:3]:
        lesson = await client.get(f"/api/learn/lessons/{lesson_id}", headers=learner_on_shipped_content)
        assert (
            lesson.status_code == 200 and '"correct"' not in lesson.text and "explanation" not in lesson.text
        )
