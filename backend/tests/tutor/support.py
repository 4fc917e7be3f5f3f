"""Helpers for the tutor's tests: run an engine on one question and collect what it streamed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from eaili5.tutor.engine import (
    Delta,
    Done,
    Level,
    Source,
    Sources,
    Status,
    TutorEngine,
    TutorEvent,
    TutorRequest,
)
from tests.conftest import auth, new_guest


@dataclass
class Reply:
    events: list[TutorEvent] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(event.text for event in self.events if isinstance(event, Delta))

    @property
    def deltas(self) -> list[str]:
        return [event.text for event in self.events if isinstance(event, Delta)]

    @property
    def statuses(self) -> list[str]:
        return [event.text for event in self.events if isinstance(event, Status)]

    @property
    def sources(self) -> tuple[Source, ...]:
        found = [event for event in self.events if isinstance(event, Sources)]
        return found[-1].sources if found else ()

    @property
    def done(self) -> Done:
        found = [event for event in self.events if isinstance(event, Done)]
        assert len(found) == 1, f"expected exactly one Done, got {len(found)}"
        assert self.events[-1] is found[0], "Done must be the last event"
        return found[0]

    @property
    def lower(self) -> str:
        return plain(self.text)


def plain(text: str) -> str:
    """Lowercase with straight apostrophes: how the evaluation compares phrases."""
    return text.lower().replace("’", "'").replace("‘", "'")


async def ask(
    engine: TutorEngine,
    user_id: uuid.UUID,
    text: str,
    level: Level = "simple",
    token_address: str | None = None,
) -> Reply:
    reply = Reply()
    request = TutorRequest(user_id=user_id, text=text, level=level, token_address=token_address)
    async for event in engine.answer(request):
        reply.events.append(event)
    return reply


async def guest(client: httpx.AsyncClient) -> tuple[dict[str, str], uuid.UUID]:
    token, user = await new_guest(client)
    return auth(token), uuid.UUID(user["id"])


async def buy(client: httpx.AsyncClient, headers: dict[str, str], address: str, usd: str) -> dict[str, Any]:
    """A real practice trade through the API."""
    response = await client.post(
        "/api/portfolio/orders",
        json={"side": "buy", "token": address, "usd_amount": usd},
        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())
