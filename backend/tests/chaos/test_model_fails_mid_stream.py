"""The model provider fails in the middle of a streamed reply (an error event, a cut connection, a
stall): the person keeps what was already written, sees a notice that the offline tutor takes over,
and gets a complete answer from it, all numbered without gaps and saved as streamed. Over the real
WebSocket, against a loopback OpenAI-compatible server, on both storage stacks."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.chaos.ledger import assert_ledger_reconciles
from tests.chaos.sockets import Socket
from tests.conftest import LiveServer, auth
from tests.tutor.loopback_llm import Cut, ErrorEvent, LoopbackLLM, Pause, Script, text

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(120)]
STARTED = "Slippage is the gap between the price you see and the price you get"
BREAKS = {
    "error-event": Script([*text(STARTED, finish=False), ErrorEvent()], done=False),
    "cut-connection": Script([*text(STARTED, finish=False), Cut()], done=False),
    "stalls": Script([*text(STARTED, finish=False), Pause(30.0)], done=False),
}


@pytest.fixture
def settings_overrides(llm: LoopbackLLM) -> dict[str, Any]:
    return {
        "openai_base_url": llm.base_url,
        "openai_api_key": "sk-loopback",
        "openai_model": "loopback-model",
        "tutor_model_timeout_seconds": 2.0,  # a stalled stream is given up on after this
    }


@pytest.mark.parametrize("how", BREAKS, ids=list(BREAKS))
async def test_the_offline_tutor_takes_over_mid_reply_with_a_notice(
    live_server: LiveServer, llm: LoopbackLLM, how: str
) -> None:
    llm.enqueue(BREAKS[how])
    async with httpx.AsyncClient(base_url=live_server.http_url, timeout=30) as http:
        token = (await http.post("/api/session")).json()["token"]
        socket = await Socket.signed_in(live_server.ws_url, token)
        frames = await socket.ask("q", "what is slippage")
        await socket.close()
        assert [f["offset"] for f in frames] == list(range(len(frames))), "a frame was lost or repeated"
        done = frames[-1]
        assert done["type"] == "chat.done" and done["status"] == "complete", done
        assert done["engine"] == "offline" and done["fallback_reason"], done
        reply = "".join(f["text"] for f in frames if f["type"] == "chat.delta")
        assert reply.startswith(STARTED), reply  # what the model already wrote stays
        assert len(reply) > len(STARTED) + 40 and "slippage" in reply[len(STARTED) :].lower(), reply
        notices = [f for f in frames if f["type"] == "chat.status" and "offline tutor" in f["text"]]
        first_notice = frames.index(notices[0]) if notices else -1
        assert 0 < first_notice < len(frames) - 1, "a notice must say the offline tutor took over"
        saved = (await http.get(f"/api/conversations/{done['conversation_id']}", headers=auth(token))).json()
        assert saved["messages"][-1]["text"] == reply and saved["messages"][-1]["role"] == "assistant"
    await assert_ledger_reconciles(live_server.app.state.eaili5.db)
