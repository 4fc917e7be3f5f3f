"""Redis dies while the tutor is streaming a reply: the socket that asked still gets the whole reply
and its end (the reply just cannot be resumed on another instance), and it is saved complete."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from eaili5.core.settings import Settings
from tests.chaos.ledger import assert_ledger_reconciles
from tests.chaos.servers import ThrowawayRedis
from tests.chaos.sockets import Socket
from tests.conftest import LiveServer, auth
from tests.tutor.loopback_llm import LoopbackLLM
from tests.tutor.test_resume import slow_answer

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(180)]
PIECES = 40


@pytest.fixture
def settings_overrides(llm: LoopbackLLM) -> dict[str, Any]:
    return {
        "openai_base_url": llm.base_url,
        "openai_api_key": "sk-loopback",
        "openai_model": "loopback-model",
    }


async def test_a_reply_in_flight_finishes_on_its_socket_when_redis_dies(
    chaos_settings: Settings, chaos_redis: ThrowawayRedis, llm: LoopbackLLM
) -> None:
    live = LiveServer(chaos_settings)
    await live.start()
    try:
        async with httpx.AsyncClient(base_url=live.http_url, timeout=30) as http:
            token = (await http.post("/api/session")).json()["token"]
            llm.enqueue(slow_answer(pieces=PIECES, pause=0.05))
            socket = await Socket.signed_in(live.ws_url, token)
            await socket.send({"type": "chat.send", "id": "ask", "text": "tell me about layer 2s"})
            await socket.wait_for(lambda f: f["type"] == "chat.delta", "the first piece of the reply")
            chaos_redis.stop()
            end = await socket.wait_for(
                lambda f: f["type"] in ("chat.done", "chat.error"), "the end of the reply", timeout=30
            )
            assert end["type"] == "chat.done" and end["status"] == "complete", end
            reply = [f for f in socket.frames if f.get("id") == "ask"]
            assert [f["offset"] for f in reply] == list(range(len(reply))), "a frame was lost or repeated"
            streamed = "".join(f["text"] for f in reply if f["type"] == "chat.delta")
            assert all(f"Part {n} is here." in streamed for n in range(PIECES)), streamed
            conversation = (
                await http.get(f"/api/conversations/{end['conversation_id']}", headers=auth(token))
            ).json()
            assert conversation["messages"][-1]["text"] == streamed
            await socket.close()
        await assert_ledger_reconciles(live.app.state.eaili5.db)
    finally:
        await live.stop()
