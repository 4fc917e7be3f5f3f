"""Every rule of docs/content.md for knowledge cards, checked on the shipped cards.

Each test gathers all violations of one rule and shows them together, so a writer sees every fix needed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from eaili5.content.readability import reading_grade
from eaili5.tutor.knowledge import KNOWLEDGE_DIR, Card, CardFile, load_cards
from tests.summary import report

MIN_CARDS = 150
ELI5_GRADE, SIMPLE_GRADE = 4.0, 6.0
ELI5_SENTENCES, SIMPLE_SENTENCES = (2, 5), (3, 6)
EVAL_PATH = Path(__file__).resolve().parent.parent / "tutor" / "data" / "tutor-dev.jsonl"
# Sentence ends: a point after a number ("0.5.") or an abbreviation still ends a sentence for readers.
SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


@pytest.fixture(scope="module")
def cards() -> list[Card]:
    return load_cards(strict=True)


def sentences(text: str) -> int:
    return len(SENTENCE_END.findall(text.strip()))


def test_every_file_matches_the_schema() -> None:
    problems = []
    for path in sorted(KNOWLEDGE_DIR.glob("*.json")):
        try:
            CardFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except ValueError as exc:
            problems.append(f"{path.name}: {exc}")
    assert not problems, "\n".join(problems)


def test_there_are_enough_cards(cards: list[Card]) -> None:
    groups = len(list(KNOWLEDGE_DIR.glob("*.json")))
    report("knowledge cards", f"{len(cards)} cards in {groups} groups")
    assert len(cards) >= MIN_CARDS


def test_ids_are_unique(cards: list[Card]) -> None:
    duplicates = [card_id for card_id, count in Counter(card.id for card in cards).items() if count > 1]
    assert not duplicates


def test_related_cards_resolve_and_are_not_self(cards: list[Card]) -> None:
    ids = {card.id for card in cards}
    problems = [
        f"{card.id} -> {related}"
        for card in cards
        for related in card.related
        if related not in ids or related == card.id
    ]
    assert not problems, "\n".join(problems)


def test_eli5_and_simple_texts_read_at_their_level(cards: list[Card]) -> None:
    problems = []
    for card in cards:
        for field, bound in (("eli5", ELI5_GRADE), ("simple", SIMPLE_GRADE)):
            grade = reading_grade(card.text(field))  # type: ignore[arg-type]
            if grade > bound:
                problems.append(f"{card.id}.{field}: grade {grade} > {bound}")
    eli5 = sorted(reading_grade(card.eli5) for card in cards)
    if eli5:
        report("knowledge cards", f"eli5 median grade {eli5[len(eli5) // 2]:.1f}, max {eli5[-1]:.1f}")
    assert not problems, "\n".join(problems)


def test_texts_have_the_right_number_of_sentences(cards: list[Card]) -> None:
    problems = []
    for card in cards:
        for field, (low, high) in (("eli5", ELI5_SENTENCES), ("simple", SIMPLE_SENTENCES)):
            count = sentences(card.text(field))  # type: ignore[arg-type]
            if not low <= count <= high:
                problems.append(f"{card.id}.{field}: {count} sentences, want {low}-{high}")
    assert not problems, "\n".join(problems)


def test_references_point_to_https_pages(cards: list[Card]) -> None:
    problems = [
        f"{card.id}: {ref.url}"
        for card in cards
        for ref in card.references
        if not ref.url.startswith("https://")
    ]
    assert not problems


def test_aliases_do_not_point_to_two_cards(cards: list[Card]) -> None:
    """A name that two cards answer to makes retrieval a coin toss."""
    owners: dict[str, set[str]] = {}
    for card in cards:
        for name in {card.title.lower(), *(alias.lower() for alias in card.aliases)}:
            owners.setdefault(name, set()).add(card.id)
    clashes = [f"{name!r}: {sorted(ids)}" for name, ids in owners.items() if len(ids) > 1]
    assert not clashes, "\n".join(clashes)


def test_every_concept_of_the_evaluation_has_a_card(cards: list[Card]) -> None:
    names = {name for card in cards for name in card.names}
    concepts = {
        concept.lower()
        for line in EVAL_PATH.read_text(encoding="utf-8").splitlines()
        if line.strip()
        for concept in json.loads(line)["concepts"]
    }
    missing = sorted(concepts - names)
    assert not missing, f"no card whose id, title or alias is: {missing}"
