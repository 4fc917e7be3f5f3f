"""The learning rules as pure functions: each badge, streaks, levels, scores, search, what is next."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from eaili5.learning import rules
from eaili5.learning.glossary import search
from eaili5.learning.recommendations import next_lesson, weak_topics
from eaili5.learning.rules import LearnerFacts, earned_badges
from tests.learning.conftest import CURRICULUM


def test_score_rounds_half_up_and_pass_mark() -> None:
    assert [rules.score_pct(c, 3) for c in range(4)] == [0, 33, 67, 100]
    assert rules.score_pct(1, 8) == 13 and rules.score_pct(0, 0) == 0
    assert not rules.passed(None) and not rules.passed(59) and rules.passed(60)


def test_levels_grow_by_100_more_each_time() -> None:
    assert rules.level_for(0) == (1, 0, 100)
    assert rules.level_for(99) == (1, 99, 100)
    assert rules.level_for(100) == (2, 0, 200)
    assert rules.level_for(299) == (2, 199, 200)
    assert rules.level_for(300) == (3, 0, 300)


def test_streaks_count_consecutive_local_days() -> None:
    d = date(2026, 3, 10)
    days = [date(2026, 3, n) for n in (1, 2, 3, 5, 6, 9, 10)]
    assert rules.streak(days, d) == rules.Streak(current=2, longest=3, today_done=True)
    assert rules.streak(days, date(2026, 3, 11)).current == 2  # yesterday still counts
    assert rules.streak(days, date(2026, 3, 12)).current == 0  # a whole day missed
    assert rules.streak([], d) == rules.Streak(0, 0, False)
    # Flying west: a day "after" today (recorded in an earlier zone) keeps the run alive.
    assert rules.streak([date(2026, 3, 10), date(2026, 3, 11)], d).current == 2
    assert rules.streak_bonus(1) == 0 and rules.streak_bonus(2) == rules.XP_STREAK_BONUS


def test_local_day_and_zone_choice() -> None:
    moment = datetime(2026, 3, 8, 4, 30, tzinfo=UTC)
    assert rules.local_day(moment, "America/New_York") == date(2026, 3, 7)
    assert rules.local_day(moment, "Asia/Tokyo") == date(2026, 3, 8)
    assert rules.choose_time_zone("Europe/Paris", "Asia/Tokyo") == "Europe/Paris"
    assert rules.choose_time_zone(None, "Asia/Tokyo") == "Asia/Tokyo"
    assert rules.choose_time_zone(None, None) == "UTC"
    assert rules.week_start(datetime(2026, 3, 8, 23, 59, tzinfo=UTC)) == datetime(2026, 3, 2, tzinfo=UTC)


NOTHING = LearnerFacts()


@pytest.mark.parametrize(
    ("badge", "without", "with_"),
    [
        ("first-lesson", NOTHING, replace(NOTHING, completed=frozenset({"basics-two"}))),
        (
            "first-path",
            replace(NOTHING, completed=frozenset({"basics-one", "scams-one"})),
            replace(NOTHING, completed=frozenset({"basics-one", "basics-two"})),
        ),
        ("streak-7", replace(NOTHING, current_streak=6), replace(NOTHING, current_streak=7)),
        ("perfect-quiz", NOTHING, replace(NOTHING, perfect_quiz=True)),
        ("first-practice-trade", NOTHING, replace(NOTHING, practice_trades=1)),
        ("reviewer", replace(NOTHING, reviews=9), replace(NOTHING, reviews=10)),
        (
            "scam-spotter",
            # Both scams lessons done, but one quiz below the pass mark.
            replace(
                NOTHING,
                completed=frozenset({"scams-one", "scams-two"}),
                best_scores={"scams-one": 100, "scams-two": 33},
            ),
            replace(
                NOTHING,
                completed=frozenset({"scams-one", "scams-two"}),
                best_scores={"scams-one": 100, "scams-two": 67},
            ),
        ),
    ],
)
def test_each_badge_rule(badge: str, without: LearnerFacts, with_: LearnerFacts) -> None:
    assert badge not in earned_badges(without, CURRICULUM)
    assert badge in earned_badges(with_, CURRICULUM)


def test_scam_spotter_needs_every_lesson_done_not_only_passed() -> None:
    facts = replace(
        NOTHING, completed=frozenset({"scams-one"}), best_scores={"scams-one": 100, "scams-two": 100}
    )
    assert "scam-spotter" not in earned_badges(facts, CURRICULUM)


def test_glossary_search_forgives_typos_and_ranks_exact_first() -> None:
    terms = list(CURRICULUM.glossary.values())
    assert [t.id for t in search(terms, "walet", 5)] == ["wallet"]
    assert [t.id for t in search(terms, "slipage", 5)] == ["slippage"]
    assert [t.id for t in search(terms, "recovery", 5)] == ["seed-phrase"]  # an alias
    assert search(terms, "Seed Phrase", 5)[0].id == "seed-phrase"
    assert search(terms, "zebra crossing", 5) == []
    assert [t.id for t in search(terms, None, 2)] == ["seed-phrase", "slippage"]  # alphabetical


def test_next_lesson_follows_the_current_path_and_prerequisites() -> None:
    assert next_lesson(CURRICULUM, set(), None).id == "basics-one"  # type: ignore[union-attr]
    # Working on the scams path: stay on it.
    assert next_lesson(CURRICULUM, {"scams-one"}, "scams-one").id == "scams-two"  # type: ignore[union-attr]
    # That path done: the first path with lessons left.
    assert next_lesson(CURRICULUM, {"scams-one", "scams-two"}, "scams-two").id == "basics-one"  # type: ignore[union-attr]
    everything = set(CURRICULUM.lessons)
    assert next_lesson(CURRICULUM, everything, "scams-two") is None


def test_weak_topics_are_those_missed_more_than_got_right() -> None:
    history = [
        ("scams-one-q1", False),  # phishing
        ("scams-one-q3", False),  # phishing
        ("scams-two-q1", False),  # rug-pull
        ("scams-two-q3", True),  # rug-pull: one right, one wrong -> not weak
        ("basics-one-q2", False),  # basics-more
        ("gone-question", False),  # no longer in the content: ignored
    ]
    weak = weak_topics(CURRICULUM, history)
    assert [(w.topic, w.misses, w.lesson.id) for w in weak] == [
        ("phishing", 2, "scams-one"),
        ("basics-more", 1, "basics-one"),
    ]


def test_trade_hints_need_more_than_1pct_impact_and_a_risky_buy() -> None:
    import uuid
    from decimal import Decimal

    from eaili5.core.events import PracticeTradeFilled
    from eaili5.learning.subscribers import trade_hints

    def hints(side: str, impact: str, flags: tuple[str, ...] = ()) -> list[str]:
        event = PracticeTradeFilled(uuid.uuid4(), "0xabc", "ABC", side, Decimal(impact), flags)
        return [target for _, _, target, _ in trade_hints(event)]

    assert hints("buy", "1.00") == []
    assert hints("buy", "1.01") == ["dex-liquidity-and-price-impact"]
    assert hints("sell", "2.5", ("low_liquidity",)) == ["dex-liquidity-and-price-impact"]
    assert hints("buy", "0.2", ("new_pool",)) == ["scams-self-defence"]
