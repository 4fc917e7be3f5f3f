"""The reading grade's glossary swap, split by where a term can start, swaps exactly what the one
pattern of every glossary term swaps: on our cards, the glossary itself, and made-up texts that mix
terms with plurals, capitals, hyphens, dots and the odd characters that case-folding matches to ASCII."""

from __future__ import annotations

import random
import re

from eaili5.content import readability
from eaili5.tutor.knowledge import load_cards


def one_pattern(text: str) -> str:
    pattern = readability._glossary_pattern()
    assert pattern is not None
    return pattern.sub(readability._STAND_IN, text)


def made_up_texts(count: int) -> list[str]:
    rng = random.Random(5)
    words = [*readability.glossary_words(), "the", "a", "tokens", "coins", "wallets", "x"]
    glue = [" ", "-", ".", ",", "s ", "es ", "S", "ES-", "\n\n", "'", "’", "_", "$", "(", "—", "1", "ſ", "K"]
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 8)):
            word = rng.choice(words)
            parts += [rng.choice((word, word.upper(), word.title())), rng.choice(glue)]
        texts.append("".join(parts))
    return texts


def test_the_split_swap_equals_the_one_pattern() -> None:
    texts = [*readability.glossary_words(), *made_up_texts(5000)]
    for card in load_cards(strict=True):
        texts += [card.eli5, card.simple, card.pro, card.analogy, card.misconception, *card.key_points]
    different = [text for text in texts if readability._swap_glossary_words(text) != one_pattern(text)]
    assert different == []
    assert readability._swap_glossary_words("Seed phrases and wallets.") == "coin and coin."


def test_only_the_listed_characters_case_fold_to_ascii_letters() -> None:
    """Any other non-ASCII character matches no ASCII letter, so lower() finds every possible match."""
    folding = {chr(c) for c in range(0x80, 0x30000) if re.fullmatch(r"[a-z]", chr(c), re.IGNORECASE)}
    assert folding == set(readability._FOLDS_TO_ASCII)
