"""Web search without a key: our own knowledge cards, labelled `knowledge_search` so nobody mistakes
them for live news."""

from __future__ import annotations

from eaili5.tutor.knowledge import KnowledgeBase
from eaili5.tutor.providers.base import WebResult

MAX_RESULTS = 3


class KnowledgeSearch:
    name = "knowledge-base"

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    async def search(self, query: str) -> list[WebResult]:
        return [
            WebResult(
                title=hit.card.title,
                url=None,
                snippet=hit.card.simple,
                kind="knowledge_search",
                source=self.name,
                card_id=hit.card.id,
            )
            for hit in self.kb.search(query, MAX_RESULTS)
        ]
