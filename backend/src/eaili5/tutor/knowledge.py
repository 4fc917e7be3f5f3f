"""The knowledge base: concept cards from `content/knowledge/*.json`, validated, indexed once per process.

Retrieval mixes two signals, both explainable:
- BM25 (`bm25s`) over title and aliases (weighted up) plus the card's own texts, with every query word
  that is not in our vocabulary first corrected to its closest vocabulary word (`rapidfuzz`), so
  "slipage" searches for "slippage";
- alias matching: a card whose id, title or alias appears in the question as a phrase gets a large
  boost, and a long alias that appears with a typo ("rug pul") a smaller one.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import bm25s
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from rapidfuzz import fuzz, process

from eaili5.tutor.engine import Level

logger = logging.getLogger(__name__)

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "content" / "knowledge"
KebabId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class Reference(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: NonEmpty
    url: Annotated[str, StringConstraints(pattern=r"^https://\S+$")]


class Card(BaseModel):
    """One concept card (docs/content.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: KebabId
    title: NonEmpty
    aliases: list[NonEmpty] = Field(default_factory=list)
    eli5: NonEmpty
    simple: NonEmpty
    pro: NonEmpty
    analogy: NonEmpty
    key_points: list[NonEmpty] = Field(min_length=2, max_length=4)
    misconception: NonEmpty
    related: list[KebabId] = Field(default_factory=list)
    references: list[Reference] = Field(min_length=1, max_length=3)
    safety: bool = False

    def text(self, level: Level) -> str:
        return {"eli5": self.eli5, "simple": self.simple, "pro": self.pro}[level]

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the card answers to, lowercase: id (with spaces), title, aliases."""
        names = {self.id.lower(), self.id.replace("-", " ").lower(), self.title.lower()}
        names |= {alias.lower() for alias in self.aliases}
        return tuple(sorted(names))


class CardFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group: NonEmpty
    cards: list[Card]


@dataclass(frozen=True, slots=True)
class CardHit:
    card: Card
    score: float  # combined score; >= STRONG_MATCH means the question names the card
    bm25: float
    alias: str | None  # the alias (or title) found in the question, if any
    exact_alias: bool

    @property
    def confident(self) -> bool:
        return self.score >= CONFIDENT_SCORE


# Scores are BM25 (typically 0–20 for our short questions) plus alias boosts.
EXACT_ALIAS_BOOST = 12.0
FOCUS_BOOST = 6.0
PHRASE_BONUS = 3.0  # a name inside "what is …" counts a little more than one mentioned in passing
# Everyday words newcomers use for an idea our cards name differently (query side only).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "cost": ("price",),
    "worth": ("price", "value"),
    "cheap": ("price",),
    "expensive": ("price",),
    "cash": ("fiat",),
    "bank": ("fiat",),
    "boss": ("central",),
    "hack": ("exploit",),
    "stolen": ("exploit", "hack"),
    "drain": ("drainer",),
    "password": ("seed", "key"),
    "fake": ("scam",),
    "legit": ("scam",),
}
CONFIDENT_SCORE = 6.0  # below this no card fits well: the reply says so
STRONG_MATCH = EXACT_ALIAS_BOOST

# Short words that carry no topic. Kept small on purpose: "not", "can", "own" carry meaning here.
_STOPWORDS_TEXT = (
    "a an the and or but if then so of to in on at by for with from as is are was were be been being "
    "it its it's this that these those there their them they he she his her him i me my mine we our "
    "you your yours u ur do does did doing done have has had having what whats what's which who whom "
    "whose when where why how just like really actually pls plz please ok okay so lol tell explain "
    "mean means meaning about some any can could would should will im i'm me kinda rn hey hi thing "
    "things even also get got gets still very much more too one ppl people someone someones keep "
    "keeps saying say said after now then here stuff yeah guys bro "
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
# Hyphens split words ("front-run" is "front run"), apostrophes do not ("what's").
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_NEGATIONS = frozenset({"no", "not", "without", "never", "non"})
_PAIR_WORDS = frozenset({"vs", "versus", "and", "or", "v"})
_CORRECTABLE_MIN_LENGTH = 3
_TYPO_CUTOFF = 82.0
_SHORT_TYPO_CUTOFF = 85.0


_IRREGULAR = {
    "sent": "send",
    "sold": "sell",
    "bought": "buy",
    "paid": "pay",
    "lost": "lose",
    "took": "take",
    "stolen": "steal",
    "stole": "steal",
    "gave": "give",
    "given": "give",
    "made": "make",
    "won": "win",
    "held": "hold",
    "kept": "keep",
    "chose": "choose",
}


def stem(word: str) -> str:
    """A tiny suffix stripper so "tokens" finds "token" and "swapped" finds "swap"."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: len(word) - len(suffix)] + keep
            if suffix in ("ing", "ed") and len(base) >= 4 and base[-1] == base[-2]:
                base = base[:-1]  # "swapped" -> "swapp" -> "swap"
            return base
    return word


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def terms(text: str) -> list[str]:
    """Index/query terms: lowercase words without stopwords, stemmed."""
    return [stem(word) for word in words(text) if word not in STOPWORDS]


def _normalise(text: str) -> str:
    return " " + " ".join(words(text)) + " "


def load_cards(directory: Path = KNOWLEDGE_DIR, *, strict: bool = False) -> list[Card]:
    """Every card of every group file. Strict (tests) raises on a bad file; else it is skipped and logged."""
    cards: list[Card] = []
    for path in sorted(directory.glob("*.json")):
        try:
            cards.extend(CardFile.model_validate(json.loads(path.read_text(encoding="utf-8"))).cards)
        except (ValueError, ValidationError) as exc:
            if strict:
                raise ValueError(f"{path.name}: {exc}") from exc
            logger.error("knowledge file %s skipped: %s", path.name, exc)
    return cards


class KnowledgeBase:
    """Cards by id, a BM25 index and an alias table. Build once (`knowledge_base()`), query many times."""

    def __init__(self, cards: Sequence[Card]) -> None:
        self.cards: dict[str, Card] = {}
        for card in cards:
            self.cards.setdefault(card.id, card)  # a duplicate id is a content error, caught by tests
        self._order = list(self.cards.values())
        self._aliases: list[tuple[str, int]] = [
            (_normalise(name).strip(), index)
            for index, card in enumerate(self._order)
            for name in card.names
            if words(name)
        ]
        self._alias_index: dict[str, list[int]] = {}
        for alias, index in self._aliases:
            self._alias_index.setdefault(alias, []).append(index)
        # Names that compare two things: matched by their content words in any order.
        self._pair_aliases = [
            (alias, frozenset(stem(w) for w in alias.split() if w not in _PAIR_WORDS), index)
            for alias, index in self._aliases
            if any(w in _PAIR_WORDS for w in alias.split()) and len(alias.split()) >= 3
        ]
        # Words of card titles and ids: a question "about" one of these is about crypto ("governance").
        self.title_words = frozenset(
            word for card in self._order for word in words(f"{card.title} {card.id}") if word not in STOPWORDS
        )
        # First word of every name -> the most words a name starting with it has (for `_phrases`).
        self._alias_starts: dict[str, int] = {}
        for alias, _ in self._aliases:
            parts = alias.split()
            self._alias_starts[parts[0]] = max(self._alias_starts.get(parts[0], 0), len(parts))
        documents = [self._document(card) for card in self._order]
        self.vocabulary = sorted({term for document in documents for term in document})
        self._vocabulary_set = frozenset(self.vocabulary)
        self._raw_vocabulary = sorted(
            {word for card in self._order for word in words(self._raw_text(card)) if len(word) >= 3}
        )
        self._raw_vocabulary_set = frozenset(self._raw_vocabulary)
        self._corrections: dict[str, str] = {}
        self._specificity = self._alias_specificity()
        self._bm25: bm25s.BM25 | None = None
        if documents:
            self._bm25 = bm25s.BM25()
            self._bm25.index(documents, show_progress=False)

    def _alias_specificity(self) -> dict[str, float]:
        """1.0 for a name no other card's text uses ("slippage"); near 0 for one every card uses ("money")."""
        bodies = [_stemmed(" ".join([c.eli5, c.simple, *c.key_points, c.pro])) for c in self._order]
        total = len(bodies)
        specificity = {}
        for alias, owner in self._aliases:
            if alias in specificity:
                continue
            needle = _stemmed(alias)
            used_by = sum(1 for index, body in enumerate(bodies) if index != owner and needle in body)
            specificity[alias] = 1.0 - min(1.0, used_by / max(5.0, total * 0.12))
        return specificity

    @staticmethod
    def _raw_text(card: Card) -> str:
        return " ".join([card.title, *card.aliases, card.eli5, card.simple, *card.key_points])

    @staticmethod
    def _document(card: Card) -> list[str]:
        names = " ".join([card.id.replace("-", " "), card.title, *card.aliases])
        body = " ".join([card.eli5, card.simple, *card.key_points, card.analogy])
        # Names count three times: a question that names a concept should find that concept's card.
        return terms(names) * 3 + terms(body) + terms(card.pro)

    def __len__(self) -> int:
        return len(self.cards)

    def get(self, card_id: str) -> Card | None:
        return self.cards.get(card_id)

    def related(self, card: Card) -> list[Card]:
        return [self.cards[card_id] for card_id in card.related if card_id in self.cards]

    def find_by_name(self, name: str) -> Card | None:
        """The card whose id, title or alias equals `name` (lowercase), if any."""
        wanted = _normalise(name).strip()
        for alias, index in self._aliases:
            if alias == wanted:
                return self._order[index]
        return None

    # --- search -------------------------------------------------------------------------------
    def correct(self, word: str) -> str:
        """A word as our vocabulary spells it: itself if known, else its closest vocabulary word."""
        cached = self._corrections.get(word)
        if cached is not None:
            return cached
        fixed = word
        if (
            len(word) >= _CORRECTABLE_MIN_LENGTH
            and word not in STOPWORDS
            and word not in self._raw_vocabulary_set
            and stem(word) not in self._vocabulary_set
            and not word.isdigit()
        ):
            cutoff = _TYPO_CUTOFF if len(word) > 3 else _SHORT_TYPO_CUTOFF
            match = process.extractOne(word, self._raw_vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff)
            if match is not None:
                fixed = match[0]
        if len(self._corrections) < 50_000:
            self._corrections[word] = fixed
        return fixed

    def corrected_words(self, query: str, keep: frozenset[str] = frozenset()) -> list[str]:
        """The question's words with typos fixed; words in `keep` (token symbols) are left as they are."""
        return [word if word in keep else self.correct(word) for word in words(query)]

    def corrected_terms(self, query: str) -> list[str]:
        """The query's index terms, typos fixed ("slipage" -> "slippage")."""
        return [stem(word) for word in self.corrected_words(query) if word not in STOPWORDS]

    def search(self, query: str, k: int = 3, incidental: frozenset[str] = frozenset()) -> list[CardHit]:
        """The k best cards for the question, best first (empty when nothing matches at all).

        `incidental` names (e.g. token symbols the question mentions) count as naming a card only when
        they are what the question is about: "what is USDC" yes, "I sent USDC and got a 0x code" no.
        """
        if not self._order or k <= 0:
            return []
        fixed = self.corrected_words(query, incidental) + expansions(query)
        # Incidental names (a token the question mentions in passing) count half unless asked about.
        focus_words = set(words(question_focus(query)))
        passing = {word for word in fixed if word in incidental and word not in focus_words}
        bm25 = self._bm25_scores(self._query_terms([w for w in fixed if w not in passing]))
        if passing:
            bm25 += 0.5 * self._bm25_scores(self._query_terms([w for w in fixed if w in passing]))
        exact = self._alias_matches(words(query), fixed)
        focus = _phrases(self.corrected_words(question_focus(query), incidental), self._alias_starts)
        scores = bm25.copy()
        for index, alias in exact.items():
            if alias in focus:
                scores[index] += self._alias_boost(alias) + FOCUS_BOOST
            elif alias in incidental:
                scores[index] += 1.0
            else:
                scores[index] += self._alias_boost(alias)
        ranked = np.argsort(-scores, kind="stable")[:k]
        hits = []
        for index in ranked:
            if scores[index] <= 0:
                break
            named = exact.get(int(index))
            hits.append(
                CardHit(
                    card=self._order[int(index)],
                    score=round(float(scores[index]), 3),
                    bm25=round(float(bm25[index]), 3),
                    alias=named,
                    exact_alias=named is not None,
                )
            )
        return hits

    def _alias_boost(self, alias: str) -> float:
        """Naming a card counts for more when the name is specific (rare in other cards' texts) or is a
        phrase ("smart contracts" is said on purpose; "money" often in passing)."""
        phrase = PHRASE_BONUS if " " in alias else 0.0
        return 1.0 + phrase + EXACT_ALIAS_BOOST * self._specificity.get(alias, 1.0)

    def relevance(self, query: str, card_ids: Iterable[str]) -> dict[str, float]:
        """The BM25 score of each given card for the question (for picking a related card to add)."""
        scores = self._bm25_scores(self._query_terms(self.corrected_words(query)))
        positions = {card.id: index for index, card in enumerate(self._order)}
        return {card_id: float(scores[positions[card_id]]) for card_id in card_ids if card_id in positions}

    @staticmethod
    def _query_terms(fixed: list[str]) -> list[str]:
        terms_ = [stem(word) for word in fixed if word not in STOPWORDS]
        return terms_ + [synonym for term in terms_ for synonym in SYNONYMS.get(term, ())]

    def _bm25_scores(self, query_terms: list[str]) -> np.ndarray:
        known = [term for term in query_terms if term in self._vocabulary_set]
        if self._bm25 is None or not known:
            return np.zeros(len(self._order), dtype=np.float64)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float64)

    def _alias_matches(self, text: list[str], fixed: list[str]) -> dict[int, str]:
        """Cards named in the question: as a phrase (as typed, or with typos fixed), or for a two-sided name
        ("bitcoin vs ethereum") by all its words in any order. The longest name found is kept."""
        exact: dict[int, str] = {}
        for phrase in _phrases(text, self._alias_starts) | _phrases(fixed, self._alias_starts):
            for index in self._alias_index.get(phrase, ()):
                if len(phrase) > len(exact.get(index, "")):
                    exact[index] = phrase
        present = {stem(word) for word in [*text, *fixed]}
        for alias, needed, index in self._pair_aliases:
            if needed <= present and len(alias) > len(exact.get(index, "")):
                exact[index] = alias
        return exact


def _stemmed(text: str) -> str:
    return " " + " ".join(stem(word) for word in words(text)) + " "


# Where a question says what it is about: "what is X", "X = ?", "explain X", "how does X work".
_FOCUS = tuple(
    re.compile(pattern)
    for pattern in (
        r"\b(?:what|wat|wht)(?:'s|s| is| are| was| does| do| means?)\s+(?:a |an |the )?([^?.!,;]{1,48})",
        r"\b(?:explain|define|meaning of|tell me about|what about)\s+(?:to me |me )?(?:a |an |the )?"
        r"([^?.!,;]{1,48})",
        r"\bhow (?:does|do|is|are|can) (?:a |an |the )?([^?.!,;]{1,30}?) (?:work|works|happen)\b",
        r"^\s*([^?.!,;=]{1,40}?)\s*(?:=\s*\?|\?\?|explained|for dummies)",
    )
)


_CHAINS = r"(base|ethereum|etherum|eth|mainnet|arbitrum|optimism|polygon|solana|bnb|l1|l2)"
# Ways of saying an idea without its name: the idea's words are added to the search.
_PHRASE_EXPANSIONS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), extra)
    for pattern, extra in (
        (
            rf"\bfrom {_CHAINS} (to|onto|into) {_CHAINS}\b",
            ("bridge",),
        ),
        (r"\b(cash out|into (cash|real money|dollars|euros|my bank))\b", ("offramp",)),
        (
            r"\b(own wallet|hold(ing)? (my|your|the) (own )?keys|my own keys|not your keys)\b",
            ("self", "custody"),
        ),
        # A 0x code the app shows after you send or swap is the transaction's receipt number.
        (r"\b(sent|send|sending|swapped|swap|paid)\b[^.?!]{0,40}\b0x", ("transaction", "hash", "receipt")),
        (
            r"\bbuy (crypto|bitcoin|eth|usdc|coins?) with (a )?(card|bank|cash|dollars|euros|money)\b",
            ("onramp",),
        ),
    )
)


def expansions(query: str) -> list[str]:
    return [word for pattern, extra in _PHRASE_EXPANSIONS if pattern.search(query) for word in extra]


def question_focus(query: str) -> str:
    """The words a question is about (empty when it has no recognisable shape)."""
    text = query.lower().replace("’", "'")
    found = [match.group(1) for pattern in _FOCUS for match in pattern.finditer(text)]
    return " ".join(found)


def _phrases(tokens: list[str], starts: dict[str, int]) -> set[str]:
    """Runs of words that could be a name: each starts with a word some name starts with (`starts` gives
    the most words such a name has), also with the last word's plural "s" added or removed.

    A run right after "no", "not" or "without" is left out: "no 12 words" is not about seed phrases.
    """
    found: set[str] = set()
    for start, first in enumerate(tokens):
        if start > 0 and tokens[start - 1] in _NEGATIONS:
            continue
        longest = max(starts.get(first, 0), starts.get(first + "s", 0), starts.get(first[:-1], 0))
        for end in range(start + 1, min(len(tokens), start + longest) + 1):
            phrase = " ".join(tokens[start:end])
            found.add(phrase)
            if phrase.endswith("s") and len(tokens[end - 1]) > 3:
                found.add(phrase[:-1])
            else:
                found.add(phrase + "s")
    return found


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    """The process-wide knowledge base, loaded on first use."""
    return KnowledgeBase(load_cards())


def card_names(cards: Iterable[Card]) -> set[str]:
    return {name for card in cards for name in card.names}
