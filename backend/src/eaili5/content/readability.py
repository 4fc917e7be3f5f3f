"""Reading grade of our own text (lessons, knowledge cards, tutor replies), glossary words allowed.

Flesch–Kincaid punishes long words, and crypto has unavoidable ones ("blockchain", "liquidity").
A newcomer learns those words from the glossary, so before scoring we swap every glossary term
(and its aliases and plurals) for a one-syllable stand-in; everything else is scored as written.
Addresses, URLs and numbers are swapped too: they are read as one thing, not as syllables.
"""

from __future__ import annotations

import json
import re
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


def plain_for_scoring(text: str) -> str:
    """The text as the grade formula should see it (exposed so tests can show what was scored)."""
    text = _ADDRESS_OR_URL.sub("it", text)
    text = _MARKDOWN_MARKS.sub(" ", text)
    pattern = _glossary_pattern()
    if pattern is not None:
        text = pattern.sub(_STAND_IN, text)
    return _NUMBER.sub("ten", text)


def reading_grade(text: str) -> float:
    """US school grade (Flesch–Kincaid) of `text`, with glossary words allowed; 0.0 for empty text."""
    plain = plain_for_scoring(text)
    if not plain.strip():
        return 0.0
    return round(float(textstat.flesch_kincaid_grade(plain)), 1)
