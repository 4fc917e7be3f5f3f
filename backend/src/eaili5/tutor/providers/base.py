"""Web search behind one interface: Tavily when keyed (tavily.py), else our cards (knowledge_search.py).

Results are third-party text. Whoever shows them to a model or a reader treats title and snippet as data,
never as instructions (see `eaili5.tutor.safety.neutralise`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

WebResultKind = Literal["web", "knowledge_search"]


@dataclass(frozen=True, slots=True)
class WebResult:
    title: str
    url: str | None
    snippet: str
    kind: WebResultKind = "web"  # "knowledge_search": a card of ours, labelled as such, not the live web
    source: str = "web"  # the provider's name, e.g. "tavily" or "knowledge-base"
    card_id: str | None = None  # set for knowledge_search results
    published: str | None = None  # ISO date when the provider gives one


class WebSearch(Protocol):
    name: str

    async def search(self, query: str) -> list[WebResult]:
        """Up to a handful of results, best first; an empty list when nothing fits or the provider fails."""
        ...
