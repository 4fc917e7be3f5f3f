"""Reading grade of our own text (lessons, knowledge cards, tutor replies), glossary words allowed.

Flesch–Kincaid punishes long words, and crypto has unavoidable ones ("blockchain", "liquidity").
A newcomer learns those words from the glossary, so before scoring we swap every glossary term
(and its aliases and plurals) for a one-syllable stand-in; everything else is scored as written.
Addresses, URLs and numbers are swapped too: they are read as one thing, not as syllables.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import textstat

CONTENT_DIR = Path(__file__).resolve().parent
GLOSSARY_PATH = CONTENT_DIR / "glossary.json"

_STAND_IN = "coin"
_ADDRESS_OR_URL = re.compile(r"0x[0-9a-fA-F]{6,}|https?://\S+|\[[^\]]*\]\([^)]*\)")
# Digits with inner separators only: "costs $1." keeps its full stop, so the sentence still ends there.
_NUMBER = re.compile(r"[$€£]?\d+(?:[.,]\d+)*%?")
_MARKDOWN_MARKS = re.compile(r"[*_`#>|]")


@lru_cache(maxsize=1)
def glossary_words() -> tuple[str, ...]:
    """Every glossary term and alias, lowercase, longest first (so "seed phrase" beats "seed")."""
    if not GLOSSARY_PATH.is_file():
        return ()
    data = json.loads(GLOSSARY_PATH.read_text(encoding="utf-8"))
    words = {entry["term"].lower() for entry in data["terms"]}
    words |= {alias.lower() for entry in data["terms"] for alias in entry.get("aliases", [])}
    return tuple(sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _glossary_pattern() -> re.Pattern[str] | None:
    words = glossary_words()
    if not words:
        return None
    alternatives = "|".join(re.escape(word) for word in words)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?:e?s)?(?![\w-])", re.IGNORECASE)


# Characters that IGNORECASE matches to an ASCII letter although lower() does not make them one
# ("ſ" is an "s", the Kelvin sign a "k"): a text with any of them takes the one-pattern path.
_FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")


@dataclass(frozen=True)
class _GlossaryIndex:
    """The glossary pattern split by where a match can start, with the same result as
    `_glossary_pattern().sub`: a match starts at a run of word characters (or at a term's own first
    character, like the "." of ".eth name") not preceded by a word character or "-", so at each such
    start only the terms whose first word is that run (plus "s"/"es" for one-word terms) can match,
    tried in the pattern's own order. One small pattern per first word instead of 600 alternatives
    tried at every word: the glossary swap was most of the cost of grading a reply."""

    starts: re.Pattern[str]  # where a match may start; group 1 the run of word characters, else a mark
    by_word: dict[str, re.Pattern[str]]  # lowercase run -> the terms that may match there
    by_mark: dict[str, re.Pattern[str]]  # first character of a term that does not start with a word


@lru_cache(maxsize=1)
def _glossary_index() -> _GlossaryIndex | None:
    words = glossary_words()
    if not words:
        return None
    by_word: dict[str, list[str]] = {}
    by_mark: dict[str, list[str]] = {}
    for word in words:  # longest first, as in the pattern
        run = re.match(r"\w+", word)
        if run is None:
            by_mark.setdefault(word[0], []).append(word)
            continue
        first = run.group(0)
        keys = [first, first + "s", first + "es"] if first == word else [first]
        for key in keys:
            by_word.setdefault(key, []).append(word)
    marks = "".join(re.escape(mark) for mark in by_mark)
    starts = re.compile(rf"(?<![\w-])(?:(\w+)|[{marks}])" if marks else r"(?<![\w-])(\w+)")
    return _GlossaryIndex(
        starts,
        {key: _terms_pattern(terms) for key, terms in by_word.items()},
        {mark: _terms_pattern(terms) for mark, terms in by_mark.items()},
    )


def _terms_pattern(terms: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(term) for term in terms)
    return re.compile(rf"(?:{alternatives})(?:e?s)?(?![\w-])", re.IGNORECASE)


def _swap_glossary_words(text: str) -> str:
    index = _glossary_index()
    if index is None:
        return text
    if not _FOLDS_TO_ASCII.isdisjoint(text):
        pattern = _glossary_pattern()
        return pattern.sub(_STAND_IN, text) if pattern is not None else text
    pieces: list[str] = []
    done = 0  # text before this has been copied or swapped
    for start in index.starts.finditer(text):
        at = start.start()
        if at < done:
            continue  # inside a term swapped already
        run = start.group(1)
        terms = index.by_word.get(run.lower()) if run is not None else index.by_mark.get(start.group(0))
        found = terms.match(text, at) if terms is not None else None
        if found is not None:
            pieces += (text[done:at], _STAND_IN)
            done = found.end()
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def plain_for_scoring(text: str) -> str:
    """The text as the grade formula should see it (exposed so tests can show what was scored)."""
    text = _ADDRESS_OR_URL.sub("it", text)
    text = _MARKDOWN_MARKS.sub(" ", text)
    text = _swap_glossary_words(text)
    return _NUMBER.sub("ten", text)


def reading_grade(text: str) -> float:
    """US school grade (Flesch–Kincaid) of `text`, with glossary words allowed; 0.0 for empty text."""
    plain = plain_for_scoring(text)
    if not plain.strip():
        return 0.0
    return round(float(textstat.flesch_kincaid_grade(plain)), 1)
