"""Streaks count the learner's local days: midnight, DST changes and time-zone choice, on both stacks.

The clock is the app's `current_time` dependency, set by each test: no sleeping."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from eaili5.learning.content import Curriculum
from tests.learning.conftest import Clock, complete, progress


def _xp(response: httpx.Response) -> dict[str, int]:
    assert response.status_code == 200, response.text
    return {item["reason"]: item["amount"] for item in response.json()["xp_earned"]["items"]}


async def test_one_minute_across_local_midnight_is_a_new_day(
    client: httpx.AsyncClient, learner: dict[str, str], clock: Clock, learn: Curriculum
) -> None:
    clock.now = datetime(2026, 3, 4, 22, 59, tzinfo=UTC)  # 23:59 in Paris (UTC+1)
    first = await complete(client, learner, "basics-one", time_zone="Europe/Paris")
    assert first.json()["streak"] == {
        "current": 1,
        "longest": 1,
        "today_done": True,
        "today": "2026-03-04",
        "time_zone": "Europe/Paris",
    }
    clock.advance(minutes=2)  # 00:01 on 5 March in Paris
    second = await complete(client, learner, "basics-two", time_zone="Europe/Paris")
    assert second.json()["streak"]["current"] == 2 and second.json()["streak"]["today"] == "2026-03-05"
    assert _xp(second) == {"lesson_complete": 20, "streak_bonus": 10}


async def test_the_same_two_minutes_in_utc_stay_one_day(
    client: httpx.AsyncClient, learner: dict[str, str], clock: Clock, learn: Curriculum
) -> None:
    clock.now = datetime(2026, 3, 4, 22, 59, tzinfo=UTC)
    await complete(client, learner, "basics-one", time_zone="UTC")
    clock.advance(minutes=2)
    second = await complete(client, learner, "basics-two")  # no zone sent, no preference: UTC
    assert second.json()["streak"]["current"] == 1 and second.json()["streak"]["time_zone"] == "UTC"
    assert _xp(second) == {"lesson_complete": 20}


async def test_spring_forward_a_23_hour_day_still_counts_as_two_days(
    client: httpx.AsyncClient, learner: dict[str, str], clock: Clock, learn: Curriculum
) -> None:
    zone = "America/New_York"  # clocks go 02:00 -> 03:00 on Sunday 8 March 2026
    clock.now = datetime(2026, 3, 8, 4, 30, tzinfo=UTC)  # Sat 7 March 23:30 EST
    first = await complete(client, learner, "basics-one", time_zone=zone)
    assert first.json()["streak"]["today"] == "2026-03-07"
    clock.now = datetime(2026, 3, 9, 3, 30, tzinfo=UTC)  # Sun 8 March 23:30 EDT: 23 hours later
    second = await complete(client, learner, "basics-two", time_zone=zone)
    assert second.json()["streak"]["today"] == "2026-03-08" and second.json()["streak"]["current"] == 2
    assert _xp(second)["streak_bonus"] == 10
    clock.advance(hours=1)  # Mon 9 March 00:30 EDT
    third = await complete(client, learner, "scams-one", time_zone=zone)
    assert third.json()["streak"]["current"] == 3 and third.json()["streak"]["today"] == "2026-03-09"


async def test_fall_back_a_25_hour_day_is_one_day(
    client: httpx.AsyncClient, learner: dict[str, str], clock: Clock, learn: Curriculum
) -> None:
    zone = "America/New_York"  # clocks go 02:00 -> 01:00 on Sunday 1 November 2026
    clock.now = datetime(2026, 11, 1, 4, 10, tzinfo=UTC)  # Sun 1 Nov 00:10 EDT
    await complete(client, learner, "basics-one", time_zone=zone)
    clock.now = datetime(2026, 11, 2, 4, 50, tzinfo=UTC)  # Sun 1 Nov 23:50 EST: 24 h 40 min later
    same_day = await complete(client, learner, "basics-two", time_zone=zone)
    assert same_day.json()["streak"]["today"] == "2026-11-01" and same_day.json()["streak"]["current"] == 1
    assert "streak_bonus" not in _xp(same_day)
    clock.advance(minutes=30)  # Mon 2 Nov 00:20 EST
    next_day = await complete(client, learner, "scams-one", time_zone=zone)
    assert next_day.json()["streak"]["current"] == 2 and _xp(next_day)["streak_bonus"] == 10


async def test_the_users_preferred_zone_is_used_when_the_request_has_none(
    client: httpx.AsyncClient, learner: dict[str, str], clock: Clock, learn: Curriculum
) -> None:
    updated = await client.patch("/api/me/preferences", json={"time_zone": "Asia/Tokyo"}, headers=learner)
    assert updated.status_code == 200, updated.text
    clock.now = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)  # 00:30 on 5 March in Tokyo
    done = await complete(client, learner, "basics-one")
    assert (
        done.json()["streak"]["today"] == "2026-03-05" and done.json()["streak"]["time_zone"] == "Asia/Tokyo"
    )
    view = await progress(client, learner)
    assert view["streak"]["today"] == "2026-03-05" and view["streak"]["today_done"] is True
    # The zone sent with a request wins over the preference.
    elsewhere = await progress(client, learner, time_zone="America/Los_Angeles")
    assert elsewhere["streak"]["today"] == "2026-03-04" and elsewhere["streak"]["current"] == 1
    bad = await client.get("/api/learn/progress", params={"time_zone": "Not/AZone"}, headers=learner)
    assert bad.status_code == 422 and bad.json()["error"] == "ValidationError"


async def test_a_missed_day_ends_the_streak_and_seven_days_earn_the_badge(
    client: httpx.AsyncClient, learner: dict[str, str], clock: Clock, learn: Curriculum
) -> None:
    await complete(client, learner, "basics-one")
    clock.advance(days=2)
    view = await progress(client, learner)
    assert view["streak"]["current"] == 0 and view["streak"]["longest"] == 1
    badges_seen: list[str] = []
    for day in range(7):
        response = await complete(client, learner, "basics-one")  # re-reading a lesson is learning too
        badges_seen += [badge["id"] for badge in response.json()["new_badges"]]
        assert response.json()["streak"]["current"] == day + 1
        assert ("streak-7" in badges_seen) == (day == 6)
        clock.advance(days=1)
    view = await progress(client, learner)
    assert view["xp"] == 20 + 6 * 10  # the lesson once, then a streak bonus on days 2 to 7
    assert view["streak"]["longest"] == 7
    assert next(b for b in view["badges"] if b["id"] == "streak-7")["earned"] is True
