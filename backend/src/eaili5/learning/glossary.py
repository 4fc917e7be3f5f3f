"""Glossary search that forgives small typos ("slipage" finds slippage)."""

from __future__ import annotations

from rapidfuzz import fuzz, process, utils

from eaili5.learning.content import GlossaryTerm

FUZZY_CUTOFF = 80.0


def _names(term: GlossaryTerm) -> list[str]:
    return [term.term.lower(), *(alias.lower() for alias in term.aliases)]


def search(terms: list[GlossaryTerm], query: str | None, limit: int) -> list[GlossaryTerm]:
    """Exact name first, then names starting with the query, then containing it, then close spellings.
    No query: every term, alphabetically."""
    if not query or not query.strip():
        return sorted(terms, key=lambda term: term.term.lower())[:limit]
    wanted = query.strip().lower()
    ranked: dict[str, tuple[float, str]] = {}
    for term in terms:
        names = _names(term)
        score = _literal_score(wanted, names, term)
        if score is None:
            match = process.extractOne(wanted, names, scorer=fuzz.WRatio, processor=utils.default_process)
            score = match[1] if match and match[1] >= FUZZY_CUTOFF else None
        if score is not None:
            ranked[term.id] = (score, term.term.lower())
    by_id = {term.id: term for term in terms}
    order = sorted(ranked, key=lambda term_id: (-ranked[term_id][0], ranked[term_id][1]))
    return [by_id[term_id] for term_id in order[:limit]]


def _literal_score(wanted: str, names: list[str], term: GlossaryTerm) -> float | None:
    if wanted in names or wanted == term.id:
        return 300.0
    if any(name.startswith(wanted) for name in names):
        return 200.0
    if any(wanted in name for name in names):
        return 150.0
    if len(wanted) >= 4 and wanted in term.definition.lower():
        return 100.0
    return None
