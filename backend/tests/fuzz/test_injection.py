"""Injection strings in every text field: stored and shown back exactly, or refused with a 4xx —
never a 500. (That stored HTML never executes in the browser is the frontend e2e suite's job.)"""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.conftest import auth, new_guest

pytestmark = pytest.mark.fuzz
WETH = "0x4200000000000000000000000000000000000006"

HOSTILE = [
    "'; DROP TABLE users; --",
    '" OR 1=1 --',
    "Robert'); DELETE FROM trades WHERE ('1'='1",
    "%' UNION SELECT token_hash FROM sessions --",
    "<img src=x onerror=alert(document.cookie)>",
    "<script>alert('x')</script>",
    "javascript:alert(1)",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "line\r\nInjected-Header: yes",
    "\x1b[31mred\x1b[0m\x07\x08",
    "a\x00b",
    "\u202eevil\u202c \ufeff \u200b",
    "e\u0301" * 500,
    "🦄" * 1000,
    "ﷺ𒐫" * 300,
]
# Header values must be ASCII without CR/LF on the wire; these are what a hostile client can send.
HOSTILE_HEADER_VALUES = [
    "'; DROP TABLE trades;--",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%00%0d%0a",
]


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "tutor_rate_limit": "10000/minute",
        "tutor_daily_cap": 10000,
        "rate_limit_auth_verify": "10000/minute",
    }


def assert_stored_or_refused(response: httpx.Response) -> bool:
    """True when stored (2xx); a refusal must be a clear 4xx with our error body."""
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.status_code in (400, 404, 409, 413, 422), response.text
        assert response.json()["error"], response.text
        return False
    return True


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
async def test_chat_text_and_conversation_title_round_trip(client: httpx.AsyncClient, text: str) -> None:
    token, _ = await new_guest(client)
    reply = await client.post("/api/chat", json={"text": text}, headers=auth(token))
    if not assert_stored_or_refused(reply):
        return
    conversation_id = reply.json()["conversation_id"]
    detail = (await client.get(f"/api/conversations/{conversation_id}", headers=auth(token))).json()
    assert detail["messages"][0]["role"] == "user" and detail["messages"][0]["text"] == text
    renamed = await client.patch(
        f"/api/conversations/{conversation_id}", json={"title": text[:120]}, headers=auth(token)
    )
    if assert_stored_or_refused(renamed):
        shown = (await client.get(f"/api/conversations/{conversation_id}", headers=auth(token))).json()
        assert shown["title"] == text[:120].strip()


async def test_lone_surrogates_and_invalid_utf8_are_refused(client: httpx.AsyncClient) -> None:
    token, _ = await new_guest(client)
    headers = {**auth(token), "Content-Type": "application/json"}
    for body in (b'{"text": "\\ud800 hi"}', b'{"text": "\xff\xfe"}', b'{"text": "ok"'):
        response = await client.post("/api/chat", content=body, headers=headers)
        assert response.status_code in (400, 422), (body, response.text)


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
async def test_preferences_time_zone(client: httpx.AsyncClient, value: str) -> None:
    token, _ = await new_guest(client)
    response = await client.patch("/api/me/preferences", json={"time_zone": value[:64]}, headers=auth(token))
    assert response.status_code == 422, response.text  # no hostile string is an IANA zone


async def test_search_queries_and_path_ids(client: httpx.AsyncClient) -> None:
    token, _ = await new_guest(client)
    for value in HOSTILE:
        for path, params in (
            ("/api/learn/glossary", {"q": value[:100]}),
            ("/api/tokens", {"q": value[:64]}),
            ("/api/conversations", {"cursor": value[:64]}),
            ("/api/portfolio/trades", {"cursor": value[:64]}),
        ):
            assert_stored_or_refused(await client.get(path, params=params, headers=auth(token)))
        for path in ("/api/learn/lessons/{}", "/api/learn/glossary/{}", "/api/tokens/{}"):
            response = await client.get(path.format(quote(value[:200], safe="")), headers=auth(token))
            assert response.status_code in (400, 404, 422), response.text


async def test_quiz_answer_ids(client: httpx.AsyncClient) -> None:
    token, _ = await new_guest(client)
    paths = (await client.get("/api/learn/paths", headers=auth(token))).json()
    lesson_id = paths["paths"][0]["lessons"][0]["id"]
    for value in HOSTILE:
        answers = [{"question_id": value[:120], "option_ids": [value[:200], value[:50]]}]
        response = await client.post(
            f"/api/learn/lessons/{lesson_id}/quiz", json={"answers": answers}, headers=auth(token)
        )
        assert_stored_or_refused(response)
    review = await client.post(
        f"/api/learn/review/{'0' * 8}-0000-4000-8000-{'0' * 12}",
        json={"option_ids": HOSTILE},
        headers=auth(token),
    )
    assert review.status_code in (404, 422), review.text


@pytest.mark.parametrize("key", [*HOSTILE_HEADER_VALUES, "k" * 101, " "])
async def test_idempotency_keys(client: httpx.AsyncClient, key: str) -> None:
    token, _ = await new_guest(client)
    body = {"type": "market", "side": "buy", "token": WETH, "usd_amount": "1"}
    headers = {**auth(token), "Idempotency-Key": key}
    first = await client.post("/api/portfolio/orders", json=body, headers=headers)
    if not assert_stored_or_refused(first) or first.status_code != 201:
        return
    again = await client.post("/api/portfolio/orders", json=body, headers=headers)
    assert again.status_code == 200 and again.json()["replayed"] is True
    trades = (await client.get("/api/portfolio/trades", headers=auth(token))).json()
    assert len(trades["items"]) == 1


@pytest.mark.parametrize("agent", HOSTILE_HEADER_VALUES)
async def test_user_agent_is_shown_back_as_sent(client: httpx.AsyncClient, agent: str) -> None:
    response = await client.post("/api/session", headers={"User-Agent": agent})
    token = response.json()["token"]
    sessions = (await client.get("/api/auth/sessions", headers=auth(token))).json()
    assert [s["user_agent"] for s in sessions["items"]] == [agent]


async def test_hostile_strings_are_json_escaped_not_interpreted(client: httpx.AsyncClient) -> None:
    """The API answers JSON with nosniff: a stored <script> is data, never markup."""
    token, _ = await new_guest(client)
    reply = await client.post("/api/chat", json={"text": HOSTILE[5]}, headers=auth(token))
    conversation = await client.get(
        f"/api/conversations/{reply.json()['conversation_id']}", headers=auth(token)
    )
    assert conversation.headers["content-type"].startswith("application/json")
    assert conversation.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in conversation.headers["content-security-policy"]
    assert json.loads(conversation.text)["messages"][0]["text"] == HOSTILE[5]
    assert secrets.compare_digest(conversation.json()["messages"][0]["text"], HOSTILE[5])


async def test_every_other_text_input_refuses_hostile_strings_and_writes_nothing(
    client: httpx.AsyncClient,
) -> None:
    """Text fields that are not stored as free text (a confirmation phrase, a token, a time zone, a
    SIWE message, a chat context address) refuse each hostile string with a 4xx, and nothing changes."""
    token, _ = await new_guest(client)
    paths = (await client.get("/api/learn/paths", headers=auth(token))).json()
    lesson_id = paths["paths"][0]["lessons"][0]["id"]
    for value in HOSTILE:
        short = value[:64]
        attempts = [
            ("DELETE", "/api/me", {"confirm": value}),
            (
                "POST",
                "/api/portfolio/orders",
                {"type": "market", "side": "buy", "token": short, "usd_amount": "1"},
            ),
            ("POST", "/api/portfolio/quote", {"side": "buy", "token": short, "usd_amount": "1"}),
            ("POST", f"/api/learn/lessons/{lesson_id}/complete", {"time_zone": short}),
            ("POST", "/api/chat", {"text": "hi", "context": {"token_address": value}}),
            ("POST", "/api/chat", {"text": "hi", "level": value}),
            ("POST", "/api/auth/verify", {"message": value, "signature": "0x" + "ab" * 65}),
        ]
        for method, path, body in attempts:
            response = await client.request(
                method, path, json=body, headers={**auth(token), "Idempotency-Key": secrets.token_hex(8)}
            )
            if path == "/api/auth/verify" and response.status_code == 401:  # a refused sign-in
                assert response.json()["error"] == "SignInFailed", response.text
                continue
            assert not assert_stored_or_refused(response), (path, value[:40], response.text)
    me = await client.get("/api/me", headers=auth(token))
    assert me.status_code == 200, "a hostile confirmation must never delete the account"
    assert (await client.get("/api/portfolio/trades", headers=auth(token))).json()["items"] == []
    assert (await client.get("/api/conversations", headers=auth(token))).json()["items"] == []
    progress = (await client.get("/api/learn/progress", headers=auth(token))).json()
    assert lesson_id not in json.dumps(progress), "a refused completion must not be recorded"
