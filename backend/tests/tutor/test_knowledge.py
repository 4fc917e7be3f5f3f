"""Retrieval over the shipped knowledge cards: names, typos, negation, speed, and the card format itself."""

from __future__ import annotations

import statistics
import time

import pytest

from eaili5.tutor.knowledge import Card, KnowledgeBase, Reference, knowledge_base, question_focus, stem


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return knowledge_base()


def top(kb: KnowledgeBase, question: str) -> str:
    hits = kb.search(question, 3)
    assert hits, question
    return hits[0].card.id


@pytest.mark.parametrize(
    ("question", "card"),
    [
        ("what is slippage", "slippage"),
        ("whats slipage", "slippage"),  # typo
        ("rug pul??", "rug-pull"),  # short typo
        ("what's a smart contrakt", "smart-contracts"),
        ("market cap = ?", "market-cap"),
        ("explain proof of stake", "proof-of-stake"),
        ("how do bridges work", "bridges"),
        ("what is a seed phrase", "seed-phrase"),
        ("what are gas fees", "gas-fees"),
    ],
)
def test_a_question_that_names_a_concept_finds_its_card(kb: KnowledgeBase, question: str, card: str) -> None:
    if kb.get(card) is None:
        pytest.fail(f"the card {card!r} is missing")
    assert top(kb, question) == card


def test_a_name_after_no_does_not_count(kb: KnowledgeBase) -> None:
    """ "no 12 words" is not a question about seed phrases."""
    hits = kb.search("the app made me a wallet with face id, no 12 words at all", 5)
    seed = [hit for hit in hits if hit.card.id == "seed-phrase"]
    assert not seed or not seed[0].exact_alias


def test_incidental_token_names_do_not_decide_the_card(kb: KnowledgeBase) -> None:
    question = "before my swap it asked me to approve USDC. what am i approving?"
    assert kb.search(question, 1, incidental=frozenset({"usdc"}))[0].card.id == "token-approvals"
    assert kb.search("what is usdc", 1, incidental=frozenset({"usdc"}))[0].card.id == "usdc"  # in focus


def test_typo_correction_uses_the_cards_vocabulary(kb: KnowledgeBase) -> None:
    assert kb.correct("slipppage") == "slippage"
    assert kb.correct("bridgge") == "bridge"
    assert kb.correct("slipage") == "slipage"  # already known: an alias the writers added for this typo
    assert kb.correct("the") == "the"  # stopwords are left alone
    assert kb.corrected_words("toshi price", keep=frozenset({"toshi"}))[0] == "toshi"


def test_stemming_handles_plurals_past_tenses_and_irregular_verbs() -> None:
    assert stem("tokens") == "token"
    assert stem("swapped") == "swap"
    assert stem("sent") == "send"
    assert stem("rugged") == "rug"


def test_question_focus_finds_what_is_asked() -> None:
    assert "dca" in question_focus("ppl keep telling me 'just dca bro'. what's dca")
    assert "rollup" in question_focus("rollup = ? keep seeing it everywhere")
    assert question_focus("gm") == ""


def test_find_by_name_matches_id_title_or_alias(kb: KnowledgeBase) -> None:
    card = kb.get("slippage")
    assert card is not None
    assert kb.find_by_name("Slippage") is card
    assert kb.find_by_name("slipage") is card  # an alias the writers added
    assert kb.find_by_name("no such thing at all") is None


def test_nonsense_finds_nothing_confident(kb: KnowledgeBase) -> None:
    hits = kb.search("purple elephants dancing on the moon", 3)
    assert not hits or not hits[0].confident


def test_a_search_takes_well_under_a_few_milliseconds(kb: KnowledgeBase) -> None:
    questions = [
        "someone said my swap got sandwiched?? what does that mean, did i lose money",
        "how do i move my money from etherum to base? someone said use a brige",
        "what's the difference between a dex and an exchange like coinbase or binance",
        "24h volume = ?",
    ]
    for question in questions:
        kb.search(question)  # first use fills the typo cache
    timings = []
    for _ in range(20):
        for question in questions:
            started = time.perf_counter()
            kb.search(question)
            timings.append(time.perf_counter() - started)
    assert statistics.median(timings) < 0.005


def test_a_small_base_is_searchable() -> None:
    """The index works on any set of cards (here two), not just the shipped ones."""

    def card(card_id: str, title: str, aliases: list[str], text: str) -> Card:
        return Card(
            id=card_id,
            title=title,
            aliases=aliases,
            eli5=text,
            simple=text,
            pro=text,
            analogy="Like a jar.",
            key_points=["One.", "Two."],
            misconception="None.",
            related=[],
            references=[Reference(title="Docs", url="https://ethereum.org/")],
        )

    kb = KnowledgeBase(
        [card("jar", "Jar", ["pot"], "A jar holds jam."), card("lid", "Lid", [], "A lid closes the jar.")]
    )
    assert kb.search("what is a pot", 1)[0].card.id == "jar"
    assert kb.search("how does a lid close", 1)[0].card.id == "lid"
    assert len(kb) == 2
