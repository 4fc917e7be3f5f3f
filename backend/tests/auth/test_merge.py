"""A guest signing in keeps what they did: the guest becomes a new wallet user, or merges into an
existing one (best scores and earned XP kept, nothing counted twice, the wallet's portfolio wins)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from eth_account import Account
from sqlalchemy import func, select

from eaili5.auth.account import user_tables
from eaili5.auth.merge import MERGED_TABLES, MERGED_USER_COLUMNS
from eaili5.models import (
    Base,
    Conversation,
    Message,
    Order,
    Portfolio,
    QuizAttempt,
    ReviewCard,
    Trade,
    User,
    UserBadge,
    XpAward,
)
from eaili5.models.base import utcnow
from tests.auth.conftest import sign_in, wallet_overrides
from tests.conftest import auth, new_guest

TOKEN = "0x4200000000000000000000000000000000000006"


@pytest.fixture
def settings_overrides(rpc_url: str) -> dict[str, Any]:
    return wallet_overrides(rpc_url)


async def _open_lessons(client: httpx.AsyncClient, token: str, count: int) -> list[str]:
    paths = (await client.get("/api/learn/paths", headers=auth(token))).json()
    lessons = [lesson["id"] for path in paths["paths"] for lesson in path["lessons"]]
    assert len(lessons) >= count  # in curriculum order: each one's prerequisites come before it
    return lessons[:count]


async def _complete(client: httpx.AsyncClient, token: str, lesson_id: str) -> None:
    response = await client.post(f"/api/learn/lessons/{lesson_id}/complete", json={}, headers=auth(token))
    assert response.status_code == 200, response.text


async def _xp(client: httpx.AsyncClient, token: str) -> int:
    return int((await client.get("/api/learn/progress", headers=auth(token))).json()["xp"])


async def _user_id(client: httpx.AsyncClient, token: str) -> uuid.UUID:
    return uuid.UUID((await client.get("/api/me", headers=auth(token))).json()["id"])


async def _add_practice(app: Any, user_id: uuid.UUID, *, balance: str, key: str, open_order: bool) -> None:
    """A portfolio run with one trade (and maybe a waiting order), as the portfolio domain writes them."""
    now = utcnow()
    async with app.state.eaili5.db.transaction() as db:
        portfolio = Portfolio(user_id=user_id, run=1, balance=Decimal(balance))
        db.add(portfolio)
        await db.flush()
        db.add(
            Trade(
                user_id=user_id, portfolio_id=portfolio.id, idempotency_key=key, request_hash="h" * 64,
                side="buy", token=TOKEN, symbol="WETH", token_amount=Decimal("0.01"),
                usd_amount=Decimal("20"), price_usd=Decimal("2000"), fill_price=Decimal("2000"),
                pool_fee_usd=Decimal("0.06"), price_impact_pct=Decimal("0.01"), gas_usd=Decimal("0.01"),
                cost_basis_usd=Decimal("20"), price_source="simulated", price_as_of=now,
            )
        )  # fmt: skip
        if open_order:
            db.add(
                Order(
                    user_id=user_id, portfolio_id=portfolio.id, idempotency_key="order-" + key,
                    request_hash="h" * 64, type="limit", side="buy", token=TOKEN, symbol="WETH",
                    trigger_price=Decimal("1500"), usd_amount=Decimal("5"), expires_at=now + timedelta(days=1),
                )
            )  # fmt: skip


async def _add_quiz_attempts(app: Any, user_id: uuid.UUID, lesson_id: str, scores: list[int]) -> None:
    async with app.state.eaili5.db.transaction() as db:
        for number, score in enumerate(scores, start=1):
            db.add(
                QuizAttempt(
                    user_id=user_id, lesson_id=lesson_id, number=number, question_count=4,
                    correct_count=score * 4 // 100, score_pct=score, finished_at=utcnow(),
                )
            )  # fmt: skip


async def _add_conversation(app: Any, user_id: uuid.UUID) -> uuid.UUID:
    async with app.state.eaili5.db.transaction() as db:
        conversation = Conversation(user_id=user_id, title="What is gas?")
        db.add(conversation)
        await db.flush()
        db.add(Message(conversation_id=conversation.id, user_id=user_id, role="user", text="What is gas?"))
        db.add(
            Message(conversation_id=conversation.id, user_id=user_id, role="assistant", text="A small fee.")
        )
        return conversation.id


async def test_a_new_wallet_keeps_everything_the_guest_did(client: httpx.AsyncClient, app: Any) -> None:
    token, guest = await new_guest(client)
    [lesson] = await _open_lessons(client, token, 1)
    await _complete(client, token, lesson)
    conversation = await _add_conversation(app, uuid.UUID(guest["id"]))
    xp_before = await _xp(client, token)
    response = await sign_in(client, token, Account.create())
    assert response.status_code == 200
    new_token = response.json()["token"]
    assert await _xp(client, new_token) == xp_before > 0
    listed = (await client.get("/api/conversations", headers=auth(new_token))).json()
    assert str(conversation) in str(listed)


async def test_an_existing_wallet_absorbs_the_guest_without_counting_twice(
    client: httpx.AsyncClient, app: Any
) -> None:
    key = Account.create()
    first_token, _ = await new_guest(client)
    wallet_token = (await sign_in(client, first_token, key)).json()["token"]
    wallet_id = await _user_id(client, wallet_token)
    shared, guest_only = await _open_lessons(client, wallet_token, 2)
    await _complete(client, wallet_token, shared)
    await _add_practice(app, wallet_id, balance="80", key="same-key", open_order=False)
    await _add_quiz_attempts(app, wallet_id, shared, [50])

    guest_token, guest = await new_guest(client)
    guest_id = uuid.UUID(guest["id"])
    await _complete(client, guest_token, shared)
    await _complete(client, guest_token, guest_only)
    await _add_practice(app, guest_id, balance="120", key="same-key", open_order=True)
    await _add_quiz_attempts(app, guest_id, shared, [90, 100])
    conversation = await _add_conversation(app, guest_id)
    async with app.state.eaili5.db.transaction() as db:
        db.add(ReviewCard(user_id=guest_id, kind="term", ref="gas", fsrs={}, due=utcnow()))
        awards = (await db.execute(select(XpAward.user_id, XpAward.key, XpAward.amount))).all()
    expected_xp = sum(
        {key: amount for _, key, amount in sorted(awards, key=lambda a: a[0] == wallet_id)}.values()
    )
    # Per key, the wallet's award if it has one, else the guest's: a lesson both finished pays once.

    response = await sign_in(client, guest_token, key)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["merged_guest"] and body["user"]["id"] == str(wallet_id)
    token = body["token"]
    assert (await client.get("/api/me", headers=auth(guest_token))).status_code == 401

    assert await _xp(client, token) == expected_xp
    progress = (await client.get("/api/learn/progress", headers=auth(token))).json()
    assert progress["lessons_completed"] == 2
    async with app.state.eaili5.db.transaction() as db:
        assert await db.get(User, guest_id) is None
        attempts = (await db.execute(
            select(QuizAttempt.number, QuizAttempt.score_pct).where(QuizAttempt.user_id == wallet_id)
            .order_by(QuizAttempt.number)
        )).all()  # fmt: skip
        assert [tuple(a) for a in attempts] == [(1, 50), (2, 90), (3, 100)]  # best score 100 kept
        badges = (await db.scalars(select(UserBadge.badge).where(UserBadge.user_id == wallet_id))).all()
        assert sorted(badges) == sorted(set(badges))
        moved = await db.get(Conversation, conversation)
        assert moved is not None and moved.user_id == wallet_id
        messages = await db.scalar(
            select(func.count()).select_from(Message).where(Message.user_id == wallet_id)
        )
        assert messages == 2
        assert (
            await db.scalar(
                select(func.count()).select_from(ReviewCard).where(ReviewCard.user_id == wallet_id)
            )
            == 1
        )
        runs = (await db.execute(
            select(Portfolio.run, Portfolio.balance, Portfolio.archived_at.is_(None))
            .where(Portfolio.user_id == wallet_id).order_by(Portfolio.run)
        )).all()  # fmt: skip
        # The guest's run is archived before the wallet's, which stays current (and last, for reset).
        assert [tuple(r) for r in runs] == [(1, Decimal("120"), False), (2, Decimal("80"), True)]
        keys = sorted(
            (await db.scalars(select(Trade.idempotency_key).where(Trade.user_id == wallet_id))).all()
        )
        assert len(keys) == 2 and "same-key" in keys and keys[0].startswith("merged-")
        order = await db.scalar(select(Order).where(Order.user_id == wallet_id))
        assert order is not None and order.status == "cancelled"
    portfolio = await client.get("/api/portfolio", headers=auth(token))
    assert portfolio.status_code == 200 and portfolio.json()["run"] == 2


async def test_a_wallet_that_never_traded_takes_the_guests_portfolio(
    client: httpx.AsyncClient, app: Any
) -> None:
    key = Account.create()
    first_token, _ = await new_guest(client)
    wallet_id = uuid.UUID((await sign_in(client, first_token, key)).json()["user"]["id"])
    guest_token, guest = await new_guest(client)
    await _add_practice(app, uuid.UUID(guest["id"]), balance="120", key="k", open_order=True)
    token = (await sign_in(client, guest_token, key)).json()["token"]
    async with app.state.eaili5.db.transaction() as db:
        [portfolio] = (await db.scalars(select(Portfolio).where(Portfolio.user_id == wallet_id))).all()
        assert portfolio.archived_at is None and portfolio.balance == Decimal("120")
        order = await db.scalar(select(Order).where(Order.user_id == wallet_id))
        assert order is not None and order.status == "open"  # still the current run: it keeps waiting
    body = (await client.get("/api/portfolio", headers=auth(token))).json()
    assert body["run"] == 1


async def test_a_wallet_user_switching_wallets_takes_nothing_along(
    client: httpx.AsyncClient, app: Any
) -> None:
    token, _ = await new_guest(client)
    first = (await sign_in(client, token, Account.create())).json()
    [lesson] = await _open_lessons(client, first["token"], 1)
    await _complete(client, first["token"], lesson)
    second = (await sign_in(client, first["token"], Account.create())).json()
    assert second["new_user"] and not second["merged_guest"]
    assert second["user"]["id"] != first["user"]["id"]
    assert await _xp(client, second["token"]) == 0
    async with app.state.eaili5.db.transaction() as db:
        assert await db.scalar(select(func.count()).select_from(User)) == 2


def test_every_table_with_user_data_has_a_merge_rule() -> None:
    """A table added later must be handled by the merge (and is exported and deleted automatically)."""
    assert set(user_tables()) - set(MERGED_TABLES) == set()


def test_every_column_of_users_has_a_merge_rule() -> None:
    """An identity added to `users` later (like the Farcaster ID) must say what a merge does with it."""
    assert set(Base.metadata.tables["users"].columns.keys()) == set(MERGED_USER_COLUMNS)


def test_every_link_to_a_user_cascades_on_delete() -> None:
    """DELETE /api/me relies on it: no row about a user outlives the user."""
    owned = set(user_tables())
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name in owned and fk.parent.name in (
                "user_id",
                "portfolio_id",
                "conversation_id",
                "attempt_id",
            ):
                assert fk.ondelete in ("CASCADE", "SET NULL"), f"{table.name}.{fk.parent.name}"
