"""Sessions a person can see and end (sockets close with them), logout, data export and deletion."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
from eth_account import Account
from sqlalchemy import func, select
from websockets.asyncio.client import ClientConnection, connect

from eaili5.auth.account import user_tables
from eaili5.models import Base, Conversation, Message, Portfolio
from tests.auth.conftest import sign_in, wallet_overrides
from tests.conftest import LiveServer, auth, new_guest


@pytest.fixture
def settings_overrides(rpc_url: str) -> dict[str, Any]:
    return wallet_overrides(rpc_url)


async def _wallet_on_two_devices(client: httpx.AsyncClient) -> tuple[str, str, str]:
    """(token on device A, token on device B, user id): one wallet signed in twice."""
    key = Account.create()
    first, _ = await new_guest(client)
    device_a = (await sign_in(client, first, key)).json()
    second, _ = await new_guest(client)
    device_b = (await sign_in(client, second, key)).json()
    return device_a["token"], device_b["token"], device_a["user"]["id"]


async def test_sessions_list_shows_mine_and_marks_this_one(client: httpx.AsyncClient) -> None:
    token_a, _, _ = await _wallet_on_two_devices(client)
    other_guest, _ = await new_guest(client)
    listed = (await client.get("/api/auth/sessions", headers=auth(token_a))).json()["items"]
    assert len(listed) == 2  # the other guest's session is not mine
    assert sum(item["current"] for item in listed) == 1
    assert {item["method"] for item in listed} == {"siwe"}
    assert all("token" not in key for item in listed for key in item)
    assert other_guest


async def test_ending_another_session_by_id(client: httpx.AsyncClient) -> None:
    token_a, token_b, _ = await _wallet_on_two_devices(client)
    listed = (await client.get("/api/auth/sessions", headers=auth(token_a))).json()["items"]
    [other] = [item for item in listed if not item["current"]]
    assert (await client.get("/api/me", headers=auth(token_b))).status_code == 200  # cached now
    response = await client.delete(f"/api/auth/sessions/{other['id']}", headers=auth(token_a))
    assert response.status_code == 204
    assert (await client.get("/api/me", headers=auth(token_b))).status_code == 401
    assert (await client.get("/api/me", headers=auth(token_a))).status_code == 200


async def test_a_session_of_someone_else_is_not_found(client: httpx.AsyncClient) -> None:
    token_a, _, _ = await _wallet_on_two_devices(client)
    stranger, _ = await new_guest(client)
    [theirs] = (await client.get("/api/auth/sessions", headers=auth(stranger))).json()["items"]
    response = await client.delete(f"/api/auth/sessions/{theirs['id']}", headers=auth(token_a))
    assert response.status_code == 404
    assert (
        await client.delete(f"/api/auth/sessions/{uuid.uuid4()}", headers=auth(token_a))
    ).status_code == 404
    assert (await client.get("/api/me", headers=auth(stranger))).status_code == 200


async def test_logout_ends_only_this_session(client: httpx.AsyncClient) -> None:
    token_a, token_b, _ = await _wallet_on_two_devices(client)
    assert (await client.post("/api/auth/logout", headers=auth(token_a))).status_code == 204
    assert (await client.get("/api/me", headers=auth(token_a))).status_code == 401
    assert (await client.get("/api/me", headers=auth(token_b))).status_code == 200


async def test_export_has_everything_and_no_secrets(client: httpx.AsyncClient, app: Any) -> None:
    token, guest = await new_guest(client)
    user_id = uuid.UUID(guest["id"])
    async with app.state.eaili5.db.transaction() as db:
        conversation = Conversation(user_id=user_id, title="Hello")
        db.add(conversation)
        db.add(Portfolio(user_id=user_id, run=1))
        await db.flush()
        db.add(Message(conversation_id=conversation.id, user_id=user_id, role="user", text="hi there"))
    stranger, _ = await new_guest(client)
    response = await client.get("/api/me/export", headers=auth(token))
    assert response.status_code == 200
    body = response.json()
    assert body["user_id"] == guest["id"]
    tables = body["tables"]
    assert set(tables) == set(user_tables())
    assert [row["id"] for row in tables["users"]] == [guest["id"]]
    assert tables["messages"][0]["text"] == "hi there"
    assert tables["portfolios"][0]["balance"] in ("100.00", "100.00000000")
    assert len(tables["sessions"]) == 1 and "token_hash" not in tables["sessions"][0]
    assert token not in response.text and stranger not in response.text


async def test_delete_me_needs_the_confirmation_and_removes_everything(
    client: httpx.AsyncClient, app: Any
) -> None:
    token, guest = await new_guest(client)
    user_id = uuid.UUID(guest["id"])
    async with app.state.eaili5.db.transaction() as db:
        conversation = Conversation(user_id=user_id, title="Hello")
        db.add(conversation)
        db.add(Portfolio(user_id=user_id, run=1))
        await db.flush()
        db.add(Message(conversation_id=conversation.id, user_id=user_id, role="user", text="hi"))
    other, _ = await new_guest(client)
    for body in (None, {}, {"confirm": "yes"}, {"confirm": "delete my data"}):
        response = await client.request("DELETE", "/api/me", json=body, headers=auth(token))
        assert response.status_code == 422, body
    assert (await client.get("/api/me", headers=auth(token))).status_code == 200
    response = await client.request(
        "DELETE", "/api/me", json={"confirm": "DELETE MY DATA"}, headers=auth(token)
    )
    assert response.status_code == 204
    assert (await client.get("/api/me", headers=auth(token))).status_code == 401
    async with app.state.eaili5.db.transaction() as db:
        for table in Base.metadata.sorted_tables:
            if table.name in user_tables() and "user_id" in table.c:
                count = await db.scalar(
                    select(func.count()).select_from(table).where(table.c.user_id == user_id)
                )
                assert count == 0, table.name
    assert (await client.get("/api/me", headers=auth(other))).status_code == 200


async def _socket(server: LiveServer, token: str) -> ClientConnection:
    ws = await connect(server.ws_url)
    await ws.send(json.dumps({"type": "auth", "token": token}))
    ready = json.loads(await asyncio.wait_for(ws.recv(), 3))
    assert ready["type"] == "ready"
    return ws


async def _next_type(ws: ClientConnection) -> str:
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 3))
        if frame["type"] == "session_ended":
            return str(frame["type"])


async def test_sign_in_and_ending_sessions_close_their_sockets(live_server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live_server.http_url) as http:
        guest_token, _ = await new_guest(http)
        guest_socket = await _socket(live_server, guest_token)
        signed = (await sign_in(http, guest_token, Account.create())).json()
        # The guest token was rotated away: its socket must not keep acting for the old session.
        assert await _next_type(guest_socket) == "session_ended"
        other_token, _ = await new_guest(http)
        wallet_socket = await _socket(live_server, signed["token"])
        [mine] = (await http.get("/api/auth/sessions", headers=auth(signed["token"]))).json()["items"]
        await http.delete(f"/api/auth/sessions/{mine['id']}", headers=auth(signed["token"]))
        assert await _next_type(wallet_socket) == "session_ended"
        assert other_token
