"""The evaluation: the offline tutor on every item of tutor-dev.jsonl, through the real app stack.

An item passes when the reply handles its `kind` (the intent), contains at least one `must_mention_any`
phrase and none of `must_not` (lowercase, straight apostrophes), and, for concept items, cites a card
about one of its concepts. Portfolio items need something to look at, so the guest first makes real
practice trades through the API. Fails below 90% per level, or when the ELI5 median grade exceeds 5.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from eaili5.content.readability import reading_grade
from eaili5.tutor.engine import Level
from eaili5.tutor.knowledge import knowledge_base
from eaili5.tutor.offline import OfflineTutor
from eaili5.tutor.tools import TutorTools
from tests.summary import report
from tests.tutor.support import Reply, ask, buy, guest, plain

EVAL_PATH = Path(__file__).parent / "data" / "tutor-dev.jsonl"
PASS_RATE = 0.90
ELI5_MEDIAN_GRADE = 5.0
# Holdings for the portfolio items: a blue chip, a mid cap and two memecoins, bought with play money.
PRACTICE_BUYS = (("WETH", "20"), ("AERO", "10"), ("DEGEN", "10"), ("BRETT", "10"))


def load_items() -> list[dict[str, Any]]:
    return [json.loads(line) for line in EVAL_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Outcome:
    item: dict[str, Any]
    reply: Reply
    problems: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems


def judge(item: dict[str, Any], reply: Reply) -> Outcome:
    text = plain(reply.text)
    problems = []
    if reply.done.intent != item["kind"]:
        problems.append(f"intent {reply.done.intent} != {item['kind']}")
    if not any(plain(phrase) in text for phrase in item["must_mention_any"]):
        problems.append(f"mentions none of {item['must_mention_any']}")
    said = [phrase for phrase in item["must_not"] if plain(phrase) in text]
    if said:
        problems.append(f"says {said}")
    if item["kind"] == "concept" and not cites_a_concept(reply, item["concepts"]):
        cited = [source.id for source in reply.sources if source.kind == "card"]
        problems.append(f"cites {cited}, none about {item['concepts']}")
    return Outcome(item, reply, problems)


def cites_a_concept(reply: Reply, concepts: list[str]) -> bool:
    kb = knowledge_base()
    wanted = {concept.lower() for concept in concepts}
    for source in reply.sources:
        card = kb.get(source.id or "") if source.kind == "card" else None
        if card is not None and wanted & set(card.names):
            return True
    return False


async def run_level(
    engine: OfflineTutor, user_id: Any, items: list[dict[str, Any]], level: Level
) -> list[Outcome]:
    return [judge(item, await ask(engine, user_id, item["question"], level)) for item in items]


def summarise(level: Level, outcomes: list[Outcome], stack: str) -> tuple[float, float]:
    rate = sum(outcome.passed for outcome in outcomes) / len(outcomes)
    grades = [reading_grade(outcome.reply.text) for outcome in outcomes]
    median = statistics.median(grades)
    passed = sum(outcome.passed for outcome in outcomes)
    report(
        "tutor eval",
        f"{level} ({stack}): pass rate {rate:.1%} ({passed}/{len(outcomes)}), median grade {median:.1f}",
    )
    for outcome in outcomes:
        if not outcome.passed:
            report("tutor eval", f"  {level} {outcome.item['id']} FAIL: {'; '.join(outcome.problems)}")
    return rate, median


async def practice_trades(app: Any, client: httpx.AsyncClient) -> tuple[OfflineTutor, Any]:
    headers, user_id = await guest(client)
    tools = TutorTools(app.state.eaili5)
    for symbol, usd in PRACTICE_BUYS:
        token = tools.find_token(symbol)
        assert token is not None, symbol
        await buy(client, headers, token.address, usd)
    return OfflineTutor(tools), user_id


async def test_offline_tutor_passes_the_evaluation_at_eli5_and_simple(
    app: Any, client: httpx.AsyncClient, stack: str
) -> None:
    engine, user_id = await practice_trades(app, client)
    items = load_items()
    assert len(items) >= 80
    eli5_rate, eli5_median = summarise("eli5", await run_level(engine, user_id, items, "eli5"), stack)
    simple_rate, _ = summarise("simple", await run_level(engine, user_id, items, "simple"), stack)
    assert eli5_rate >= PASS_RATE, f"ELI5 pass rate {eli5_rate:.1%}"
    assert simple_rate >= PASS_RATE, f"Simple pass rate {simple_rate:.1%}"
    assert eli5_median <= ELI5_MEDIAN_GRADE, f"ELI5 median grade {eli5_median}"


async def test_offline_tutor_passes_a_sample_of_the_evaluation_at_pro(
    app: Any, client: httpx.AsyncClient, stack: str
) -> None:
    engine, user_id = await practice_trades(app, client)
    sample = load_items()[::3]
    rate, _ = summarise("pro", await run_level(engine, user_id, sample, "pro"), stack)
    assert rate >= PASS_RATE, f"Pro pass rate {rate:.1%}"
