"""The weekly XP leaderboard (both stacks): ranks, ties, the caller's own rank, and safe names."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import update

from eaili5.auth.display_names import display_name, guest_nickname, short_address
from eaili5.learning.content import Curriculum
from eaili5.models import User
from tests.conftest import auth, new_guest
from tests.learning.conftest import Clock, complete, full_quiz

WALLET = "0x1234567890abcdef1234567890abcdef12345678"


async def _board(client: httpx.AsyncClient, headers: dict[str, str], period: str = "week") -> dict[str, Any]:
    response = await client.get("/api/learn/leaderboard", params={"period": period}, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_ranks_ties_and_names_never_show_ids(
    app: Any, client: httpx.AsyncClient, clock: Clock, learn: Curriculum
) -> None:
    clock.now = datetime(2026, 3, 4, 12, tzinfo=UTC)  # a Wednesday
    players = []
    for _ in range(4):
        token, user = await new_guest(client)
        players.append((auth(token), user))
    (alice, alice_user), (bob, _), (carol, _), (dave, dave_user) = players
    async with app.state.eaili5.db.transaction() as db:  # Alice signed in with her wallet
        await db.execute(
            update(User).where(User.id == uuid.UUID(alice_user["id"])).values(wallet_address=WALLET)
        )
    await full_quiz(client, alice, "basics-one")  # 45 XP
    await complete(client, bob, "basics-one")  # 20 XP
    await complete(client, carol, "basics-two")  # 20 XP
    board = await _board(client, dave)
    assert board["starts_at"] == "2026-03-02T00:00:00Z"  # Monday 00:00 UTC
    assert [(row["rank"], row["xp"]) for row in board["items"]] == [(1, 45), (2, 20), (2, 20)]
    assert board["items"][0]["display_name"] == "0x1234…5678"
    assert board["you"] is None and not any(row["is_you"] for row in board["items"])
    for guest_row in board["items"][1:]:
        name = guest_row["display_name"]
        assert len(name.split()) == 3 and name.split()[2].isdigit()
    text = (await client.get("/api/learn/leaderboard", headers=dave)).text
    assert all(user["id"] not in text for _, user in players) and WALLET not in text

    await complete(client, dave, "basics-one")
    mine = await _board(client, dave)
    assert mine["you"] == {
        "rank": 2,
        "display_name": guest_nickname(uuid.UUID(dave_user["id"])),
        "xp": 20,
        "is_you": True,
    }


async def test_a_new_week_starts_from_zero_but_all_time_remembers(
    client: httpx.AsyncClient, learner: dict[str, str], clock: Clock, learn: Curriculum
) -> None:
    clock.now = datetime(2026, 3, 8, 23, 0, tzinfo=UTC)  # Sunday evening
    await complete(client, learner, "basics-one")
    clock.now = datetime(2026, 3, 9, 0, 30, tzinfo=UTC)  # Monday: a new week
    assert (await _board(client, learner))["items"] == []
    all_time = await _board(client, learner, "all")
    assert all_time["starts_at"] is None and all_time["you"]["xp"] == 20 and all_time["you"]["rank"] == 1
    bad = await client.get("/api/learn/leaderboard", params={"period": "year"}, headers=learner)
    assert bad.status_code == 422


def test_display_names_are_stable_friendly_and_reveal_nothing() -> None:
    user_id = uuid.UUID("12345678-1234-5678-1234-567812345678")
    name = guest_nickname(user_id)
    assert name == guest_nickname(user_id) and "1234" not in name
    adjective, animal, number = name.split()
    assert adjective.isalpha() and animal.isalpha() and 0 <= int(number) <= 99
    assert len({guest_nickname(uuid.uuid4()) for _ in range(200)}) > 190
    assert short_address(WALLET) == "0x1234…5678"
    assert display_name(User(id=user_id, wallet_address=None)) == name
    assert display_name(User(id=user_id, wallet_address=WALLET)) == "0x1234…5678"
