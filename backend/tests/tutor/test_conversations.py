"""Conversations: list (newest activity first, paged), search by text, open, rename, delete; own data only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import auth, new_guest
from tests.tutor.chat_support import model_settings
from tests.tutor.loopback_llm import LoopbackLLM, Script, text


@pytest.fixture
def settings_overrides(llm: LoopbackLLM) -> dict[str, Any]:
    return model_settings(llm)


async def ask(
    client: httpx.AsyncClient, token: str, question: str, conversation_id: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"text": question}
    if conversation_id:
        body["conversation_id"] = conversation_id
    response = await client.post("/api/chat", json=body, headers=auth(token))
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()
    return reply


async def test_list_is_newest_activity_first_and_pages(client: httpx.AsyncClient, llm: LoopbackLLM) -> None:
    token, _ = await new_guest(client)
    ids = [(await ask(client, token, f"question number {n}"))["conversation_id"] for n in range(5)]
    await ask(client, token, "back to the first one", ids[0])  # activity moves it to the top

    first = (await client.get("/api/conversations?limit=2", headers=auth(token))).json()
    assert [c["id"] for c in first["items"]] == [ids[0], ids[4]]
    assert first["items"][0]["title"] == "question number 0"
    second = (
        await client.get(f"/api/conversations?limit=2&cursor={first['next_cursor']}", headers=auth(token))
    ).json()
    third = (
        await client.get(f"/api/conversations?limit=2&cursor={second['next_cursor']}", headers=auth(token))
    ).json()
    assert [c["id"] for c in second["items"] + third["items"]] == [ids[3], ids[2], ids[1]]
    assert third["next_cursor"] is None


async def test_search_matches_titles_and_message_text(client: httpx.AsyncClient, llm: LoopbackLLM) -> None:
    token, _ = await new_guest(client)
    llm.enqueue(Script(text("Slippage is the gap between the quoted and the filled price.")))
    slippage = await ask(client, token, "whats slipage")
    llm.enqueue(Script(text("A wallet keeps keys.")))
    wallet = await ask(client, token, "Explain wallets")
    llm.enqueue(Script(text("100% of it.")))
    percent = await ask(client, token, "how much is 100%?")

    async def search(q: str) -> list[str]:
        page = (await client.get("/api/conversations", params={"q": q}, headers=auth(token))).json()
        return [c["id"] for c in page["items"]]

    assert await search("QUOTED and the filled") == [slippage["conversation_id"]]  # a reply's text, any case
    assert await search("wallet") == [wallet["conversation_id"]]
    assert await search("100%") == [percent["conversation_id"]]  # % is literal, not a wildcard
    assert await search("1_0") == []
    assert await search("   ") == [
        percent["conversation_id"],
        wallet["conversation_id"],
        slippage["conversation_id"],
    ]
    other, _ = await new_guest(client)
    page = (await client.get("/api/conversations", params={"q": "wallet"}, headers=auth(other))).json()
    assert page["items"] == []


async def test_open_rename_delete(client: httpx.AsyncClient, llm: LoopbackLLM) -> None:
    token, _ = await new_guest(client)
    reply = await ask(client, token, "what is a DEX")
    cid = reply["conversation_id"]

    renamed = await client.patch(
        f"/api/conversations/{cid}", json={"title": "  DEX basics  "}, headers=auth(token)
    )
    assert renamed.status_code == 200 and renamed.json()["title"] == "DEX basics"
    opened = (await client.get(f"/api/conversations/{cid}", headers=auth(token))).json()
    assert opened["title"] == "DEX basics" and len(opened["messages"]) == 2
    assert opened["messages"][1]["id"] == reply["message_id"]

    assert (await client.delete(f"/api/conversations/{cid}", headers=auth(token))).status_code == 204
    assert (await client.get(f"/api/conversations/{cid}", headers=auth(token))).status_code == 404
    assert (await client.delete(f"/api/conversations/{cid}", headers=auth(token))).status_code == 404
    assert (await client.get("/api/conversations", headers=auth(token))).json()["items"] == []


async def test_other_users_conversations_are_404(client: httpx.AsyncClient, llm: LoopbackLLM) -> None:
    owner, _ = await new_guest(client)
    other, _ = await new_guest(client)
    cid = (await ask(client, owner, "hello"))["conversation_id"]
    assert (await client.get(f"/api/conversations/{cid}", headers=auth(other))).status_code == 404
    response = await client.patch(
        f"/api/conversations/{cid}", json={"title": "mine now"}, headers=auth(other)
    )
    assert response.status_code == 404
    assert (await client.delete(f"/api/conversations/{cid}", headers=auth(other))).status_code == 404
    assert (await client.get(f"/api/conversations/{cid}", headers=auth(owner))).json()["title"] == "hello"


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/api/conversations?cursor=bm90LWEtY3Vyc29y", None, 400),
        ("GET", "/api/conversations?limit=0", None, 422),
        ("GET", "/api/conversations/not-a-uuid", None, 422),
        ("PATCH", "/api/conversations/00000000-0000-0000-0000-000000000000", {"title": ""}, 422),
        ("PATCH", "/api/conversations/00000000-0000-0000-0000-000000000000", {"title": "x" * 121}, 422),
        ("PATCH", "/api/conversations/00000000-0000-0000-0000-000000000000", {"title": "ok"}, 404),
    ],
)
async def test_bad_requests(
    client: httpx.AsyncClient, method: str, path: str, body: Any, status: int
) -> None:
    token, _ = await new_guest(client)
    response = await client.request(method, path, json=body, headers=auth(token))
    assert response.status_code == status, response.text
