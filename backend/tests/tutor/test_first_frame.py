"""The reply's first frame leaves before anything is awaited, and is still resumable (both stacks).

`chat.send` → `chat.status` "Thinking…" is what the tutor benchmark's first-frame latency measures. The
frame is handed to the socket synchronously by `open_reply` (no KV write, no database, no task switch in
between); the reply's task buffers it for `chat.resume` before its next frame, so offsets stay 0, 1, 2, …
and a resume from offset 0 replays it.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from eaili5.tutor.resume import ResumeReader
from eaili5.tutor.runtime import tutor_runtime
from eaili5.tutor.schemas import ChatIn
from eaili5.tutor.service import THINKING
from tests.conftest import auth, new_guest


async def test_the_first_frame_is_handed_over_synchronously_and_buffered_after(
    app: Any, client: httpx.AsyncClient
) -> None:
    token, _ = await new_guest(client)
    user_id = uuid.UUID((await client.get("/api/me", headers=auth(token))).json()["id"])
    service = await tutor_runtime(app).service()
    admitted = await service.admit(user_id, ChatIn(text="what is a wallet", level="eli5"))
    sent: list[dict[str, Any]] = []

    stream = service.open_reply(admitted, sent.append)  # a plain call: nothing awaited before the frame

    assert sent == [
        {
            "type": "chat.status",
            "text": THINKING,
            "message_id": str(admitted.message_id),
            "conversation_id": str(admitted.conversation_id),
            "offset": 0,
        }
    ]
    outcome = await service.respond(admitted, sent.append, stream)
    assert outcome.status == "complete" and outcome.text
    assert [frame["offset"] for frame in sent] == list(range(len(sent)))
    assert sent[-1]["type"] == "chat.done"

    state = app.state.eaili5
    reader = ResumeReader(state.kv, admitted.message_id, user_id, 5.0)
    replayed = [frame async for frame in reader.frames(0)]
    assert replayed == sent  # the first frame too: it was buffered before the second one went out
