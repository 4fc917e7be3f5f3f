"""The contract between the tutor's engines (offline, OpenAI-compatible) and its transport (WS, HTTP/SSE).

An engine turns one question into a stream of `TutorEvent`s. The transport (tutor/service.py) persists the
reply, buffers the stream in the KV layer for `chat.resume`, and renders events as `chat.*` frames or SSE.
Both engines use the same `TutorTools` (tutor/tools.py), so their answers rest on the same facts.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

Level = Literal["eli5", "simple", "pro"]
Intent = Literal[
    "concept",  # explain an idea ("whats slipage")
    "market",  # live token facts ("how much is AERO?")
    "portfolio",  # the caller's own practice portfolio ("is my DEGEN up?")
    "progress",  # the caller's learning progress / what to learn next
    "news",  # recent events: web search when keyed, else knowledge search, labelled
    "safety",  # scams, keys, seed phrases: a clear warning first
    "advice",  # "should I buy X?": no advice, teach how to think about the risk
    "injection",  # attempts to override instructions or extract secrets
    "offtopic",  # gently steer back to crypto
    "greeting",
]
SourceKind = Literal["card", "market", "portfolio", "progress", "web", "knowledge_search"]
# Upper bounds on the Flesch–Kincaid grade of a reply at each level (glossary words allowed).
LEVEL_MAX_GRADE: dict[Level, float] = {"eli5": 4.0, "simple": 6.0, "pro": 14.0}


@dataclass(frozen=True, slots=True)
class Turn:
    role: Literal["user", "assistant"]
    text: str


@dataclass(frozen=True, slots=True)
class TutorRequest:
    user_id: uuid.UUID
    text: str
    level: Level = "simple"
    history: tuple[Turn, ...] = ()  # recent turns, oldest first
    token_address: str | None = None  # "Ask EAILI5 about this token" context
    learner_summary: str = ""  # level, completed lessons, holdings — short, for the model


@dataclass(frozen=True, slots=True)
class Source:
    kind: SourceKind
    title: str
    id: str | None = None  # knowledge card id, token address, …
    url: str | None = None
    source: str | None = None  # data provider, e.g. "simulated", "geckoterminal", "tavily"
    as_of: str | None = None  # ISO time of market data


@dataclass(frozen=True, slots=True)
class Status:
    text: str  # "Checking live Base prices…"
    type: Literal["status"] = "status"


@dataclass(frozen=True, slots=True)
class Delta:
    text: str
    type: Literal["delta"] = "delta"


@dataclass(frozen=True, slots=True)
class Sources:
    sources: tuple[Source, ...]
    type: Literal["sources"] = "sources"


@dataclass(frozen=True, slots=True)
class Done:
    intent: Intent
    suggestions: tuple[str, ...]  # exactly three follow-up questions
    engine: str  # "offline" or the model name
    warning: bool = False  # render as a safety warning card
    fallback_reason: str | None = None  # set when a model failed and the offline tutor answered
    grade: float | None = None  # filled by the transport from the full text when None
    extra: dict[str, object] = field(default_factory=dict)
    type: Literal["done"] = "done"


TutorEvent = Status | Delta | Sources | Done


class TutorEngine(Protocol):
    name: str

    def answer(self, request: TutorRequest) -> AsyncIterator[TutorEvent]:
        """Stream one reply. Must end with exactly one `Done`. Closing the iterator stops generation."""
        ...
