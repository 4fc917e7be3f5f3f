"""Web search through Tavily (`POST {base}/search`, bearer key), for news the knowledge base cannot know.

What comes back is a search result (title, URL and the engine's snippet), not a page we read: results
are labelled so. When Tavily fails, times out or answers something we cannot read, the search falls
back to our knowledge base, whose results are labelled `knowledge_search` (never passed off as web).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from eaili5.core.errors import UpstreamError
from eaili5.core.metrics import Metrics
from eaili5.core.settings import Settings
from eaili5.tutor.providers.base import WebResult, WebSearch

logger = logging.getLogger(__name__)

SNIPPET_LABEL = "tavily search snippet"
MAX_SNIPPET = 600


class SearchUnavailable(UpstreamError):
    """Tavily could not give us results this time."""


class TavilySearch:
    name = "tavily"

    def __init__(
        self,
        settings: Settings,
        http: httpx.AsyncClient,
        metrics: Metrics | None = None,
        fallback: WebSearch | None = None,
    ) -> None:
        if settings.tavily_api_key is None:
            raise ValueError("TavilySearch needs TAVILY_API_KEY")
        self.settings, self.http, self.metrics, self.fallback = settings, http, metrics, fallback
        self._key = settings.tavily_api_key.get_secret_value()

    async def search(self, query: str) -> list[WebResult]:
        try:
            results = await self.search_web(query)
        except SearchUnavailable as exc:
            self._count("error")
            logger.warning("Tavily search failed, using the knowledge base: %s", exc.detail)
            return await self.fallback.search(query) if self.fallback is not None else []
        self._count("ok")
        return results

    async def search_web(self, query: str) -> list[WebResult]:
        """Tavily's results only; raises `SearchUnavailable` instead of falling back."""
        body = {
            "query": query[:400],
            "search_depth": "basic",
            "topic": "general",
            "max_results": self.settings.tavily_max_results,
            "include_answer": False,
        }
        url = self.settings.tavily_base_url.rstrip("/") + "/search"
        try:
            response = await self.http.post(
                url,
                json=body,
                headers={"Authorization": f"Bearer {self._key}"},
                timeout=self.settings.tavily_timeout_seconds,
            )
        except httpx.TimeoutException:
            raise SearchUnavailable("Tavily did not answer in time.") from None
        except httpx.HTTPError as exc:
            raise SearchUnavailable(f"Tavily could not be reached ({type(exc).__name__}).") from None
        if response.status_code != 200:
            raise SearchUnavailable(f"Tavily answered HTTP {response.status_code}.")
        try:
            return _results(response.json())
        except (ValueError, TypeError, KeyError) as exc:
            raise SearchUnavailable(f"Tavily's answer could not be read ({exc}).") from None

    def _count(self, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.tutor_provider_calls.labels("tavily", outcome).inc()


def _results(document: Any) -> list[WebResult]:
    if not isinstance(document, dict) or not isinstance(document.get("results"), list):
        raise ValueError("no results list")
    results = []
    for item in document["results"]:
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            continue  # skip what we cannot cite
        url = item["url"]
        if not url.startswith(("https://", "http://")):
            continue
        results.append(
            WebResult(
                title=str(item.get("title") or url)[:300],
                url=url,
                snippet=str(item.get("content") or "")[:MAX_SNIPPET],
                kind="web",
                source=SNIPPET_LABEL,
                published=item.get("published_date") if isinstance(item.get("published_date"), str) else None,
            )
        )
    return results
