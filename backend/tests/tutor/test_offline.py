"""The offline tutor through the real app: intents, streaming shape, live facts, the caller's own data."""

from __future__ import annotations

from typing import Any

import httpx

from eaili5.tutor.offline import OfflineTutor
from eaili5.tutor.tools import TutorTools
from tests.tutor.support import ask, guest


def tutor(app: Any) -> OfflineTutor:
    return OfflineTutor(TutorTools(app.state.eaili5))


async def test_a_concept_reply_streams_sentences_then_sources_then_done(
    app: Any, client: httpx.AsyncClient
) -> None:
    _, user_id = await guest(client)
    reply = await ask(tutor(app), user_id, "whats slipage", "eli5")
    assert reply.done.intent == "concept" and reply.done.engine == "offline"
    assert len(reply.deltas) >= 3
    assert any(source.kind == "card" and source.id == "slippage" for source in reply.sources)
    assert len(reply.done.suggestions) == 3
