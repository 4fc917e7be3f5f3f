"""What one chat turn costs in SQL statements and KV round trips, whatever the reply's length, and the
offline tutor's remembered replies: the same question in the same context gets the very same reply,
and nothing that rests on live facts or the learner's own data is remembered. Counts, never timings."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from eaili5.tutor.engine import Turn, TutorRequest
from eaili5.tutor.offline import OfflineTutor
from eaili5.tutor.tools import TutorTools
from tests.conftest import auth, new_guest
from tests.sql_recording import SentStatement, one_line, recorded_statements
from tests.tutor.support import Reply, buy, guest

# A new conversation: the conversation, the question, the reply. A later turn: the touch (which is also
# the ownership check), the history, the question, the reply.
FIRST_TURN_STATEMENTS = 3
LATER_TURN_STATEMENTS = 4
# A JSON reply's frames (and who may resume them) go to the KV in one round trip at its end: nobody knows
# its id before. A streamed reply's go write-behind, in a few batches, never two commands per frame.


@contextmanager
def counting(app: Any) -> Iterator[list[SentStatement]]:
    """Statements on conversations and messages sent by the request's task and by the reply's own task
    (`tutor-<message id>`); the app's background work (market ticks) runs in other tasks."""
    request = asyncio.current_task()

    def of_this_turn(seen: SentStatement) -> bool:
        task = seen.task
        mine = task is request or (task is not None and task.get_name().startswith("tutor-"))
        return mine and ("conversations" in seen.sql or "messages" in seen.sql)  # not the session lookup

    with recorded_statements(app, of_this_turn) as sent:
        yield sent


@contextmanager
def counting_batches(app: Any) -> Iterator[list[int]]:
    """How many frames each KV batch of a reply buffer carries."""
    kv = app.state.eaili5.kv
    batches: list[int] = []
    original = kv.set_and_publish

    async def recorded(items: Any, ttl_seconds: float, channel: str, messages: Any) -> None:
        if channel.startswith("chat:"):
            batches.append(len(messages))
        await original(items, ttl_seconds, channel, messages)

    kv.set_and_publish = recorded
    try:
        yield batches
    finally:
        del kv.set_and_publish


async def test_a_chat_turn_costs_a_fixed_number_of_statements_and_kv_batches(
    app: Any, client: httpx.AsyncClient
) -> None:
    token, _ = await new_guest(client)
    question = {"text": "what is a liquidity pool and how does it work", "level": "pro"}
    with counting(app) as first, counting_batches(app) as batches:
        reply = await client.post("/api/chat", json=question, headers=auth(token))
    assert reply.status_code == 200, reply.text
    assert reply.json()["text"].count(". ") >= 5  # a long reply: many frames
    assert len(first) == FIRST_TURN_STATEMENTS, one_line(first, 60)
    assert len(batches) == 1 and batches[0] >= 8, batches

    later = {**question, "text": "tell me more", "conversation_id": reply.json()["conversation_id"]}
    with counting(app) as second:
        again = await client.post("/api/chat", json=later, headers=auth(token))
    assert again.status_code == 200, again.text
    assert len(second) == LATER_TURN_STATEMENTS, one_line(second, 60)


async def test_a_reply_buffered_in_batches_reads_back_in_full(app: Any, client: httpx.AsyncClient) -> None:
    token, _ = await new_guest(client)
    reply = await client.post(
        "/api/chat", json={"text": "what is a blockchain", "level": "pro"}, headers=auth(token)
    )
    assert reply.status_code == 200
    body = reply.json()
    async with client.stream("GET", f"/api/chat/{body['message_id']}/events", headers=auth(token)) as stream:
        raw = (await stream.aread()).decode()
    frames = [block for block in raw.split("\n\n") if block.strip()]
    offsets = [int(line[4:]) for block in frames for line in block.splitlines() if line.startswith("id: ")]
    assert offsets == list(range(len(frames)))
    deltas = [block for block in frames if block.startswith("event: chat.delta")]
    assert len(deltas) >= 3 and frames[-1].startswith("event: chat.done")


# --- remembered replies ---------------------------------------------------------------------------------
async def answer(engine: OfflineTutor, request: TutorRequest) -> Reply:
    reply = Reply()
    async for item in engine.answer(request):
        reply.events.append(item)
    return reply


async def test_the_same_question_gets_the_same_reply_from_memory(app: Any, client: httpx.AsyncClient) -> None:
    _, user_id = await guest(client)
    engine = OfflineTutor(TutorTools(app.state.eaili5))
    asked = TutorRequest(user_id=user_id, text="whats slipage", level="eli5")
    first = await answer(engine, asked)
    assert len(engine._answers) == 1
    second = await answer(engine, asked)
    assert second.events == first.events
    fresh = await answer(OfflineTutor(TutorTools(app.state.eaili5)), asked)
    assert fresh.events == first.events  # what was remembered is what would be written anew
    other_level = await answer(engine, TutorRequest(user_id=user_id, text="whats slipage", level="pro"))
    assert other_level.text != first.text


async def test_a_follow_up_is_remembered_with_the_question_it_follows(
    app: Any, client: httpx.AsyncClient
) -> None:
    _, user_id = await guest(client)
    engine = OfflineTutor(TutorTools(app.state.eaili5))

    def after(previous: str) -> TutorRequest:
        history = (Turn("user", previous), Turn("assistant", "…"))
        return TutorRequest(user_id=user_id, text="tell me more", level="simple", history=history)

    on_gas = await answer(engine, after("what is gas"))
    on_wallets = await answer(engine, after("what is a wallet"))
    assert on_gas.text != on_wallets.text
    assert (await answer(engine, after("what is gas"))).events == on_gas.events
    # A long question is read alone: what came before does not change it, and it is remembered once.
    long = "what is the difference between a hot wallet and a cold wallet"
    alone = await answer(engine, TutorRequest(user_id=user_id, text=long, level="simple"))
    in_chat = await answer(
        engine,
        TutorRequest(user_id=user_id, text=long, level="simple", history=(Turn("user", "what is gas"),)),
    )
    assert in_chat.events == alone.events


async def test_replies_on_live_facts_or_the_learners_data_are_not_remembered(
    app: Any, client: httpx.AsyncClient
) -> None:
    headers, user_id = await guest(client)
    tools = TutorTools(app.state.eaili5)
    weth = tools.find_token("WETH")
    assert weth is not None
    await buy(client, headers, weth.address, "5")
    engine = OfflineTutor(tools)
    for text, intent in (
        ("how much is AERO right now", "market"),
        ("how is my portfolio doing", "portfolio"),
        ("should I buy BRETT?", "advice"),
        ("hi!", "greeting"),
    ):
        reply = await answer(engine, TutorRequest(user_id=user_id, text=text, level="simple"))
        assert reply.done.intent == intent, (text, reply.done.intent)
    assert engine._answers == {}
    remembered = await answer(
        engine, TutorRequest(user_id=user_id, text="should I buy crypto?", level="eli5")
    )
    assert remembered.done.intent == "advice" and len(engine._answers) == 1  # no token named: no price


def sse_frames(raw: str) -> list[str]:
    return [block for block in raw.split("\n\n") if block.strip()]


async def test_a_streamed_reply_is_buffered_write_behind_and_reads_back_the_same(
    app: Any, client: httpx.AsyncClient
) -> None:
    token, _ = await new_guest(client)
    headers = {**auth(token), "Accept": "text/event-stream"}
    with counting_batches(app) as batches:
        streamed = await client.post(
            "/api/chat", json={"text": "what is a liquidity pool", "level": "pro"}, headers=headers
        )
    assert streamed.status_code == 200
    frames = sse_frames(streamed.text)
    assert len(frames) >= 8 and frames[-1].startswith("event: chat.done")
    assert 1 <= len(batches) < len(frames) and sum(batches) == len(frames), batches
    message_id = json.loads(frames[0].split("data: ", 1)[1])["message_id"]
    again = await client.get(f"/api/chat/{message_id}/events", headers=auth(token))
    assert sse_frames(again.text) == frames
