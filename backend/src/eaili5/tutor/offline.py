"""The offline tutor: no model, no key. The coordinator picks the intent and tools; replies are composed
from our cards and live facts at the learner's level, streamed sentence by sentence. Deterministic."""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from collections.abc import AsyncIterator

from eaili5.market.schemas import Timeframe, TokenDetail
from eaili5.tutor import compose
from eaili5.tutor.compose import Draft
from eaili5.tutor.coordinator import CONCEPT_SCORE, Coordinator, Plan
from eaili5.tutor.engine import (
    Delta,
    Done,
    Intent,
    Level,
    Source,
    Sources,
    Status,
    TutorEvent,
    TutorRequest,
)
from eaili5.tutor.knowledge import Card, CardHit, KnowledgeBase
from eaili5.tutor.providers.knowledge_search import KnowledgeSearch
from eaili5.tutor.safety import Finding, advice_request, normalise_text, reply_violation
from eaili5.tutor.tools import TutorTools

MAX_TOKENS_PER_REPLY = 2
CHART_QUESTION = re.compile(
    r"\b(chart|candles?|trend|history|this week|past week|last week|7 ?d|moved|movement)\b", re.IGNORECASE
)
PLANTED_ORDERS = ("orders-to-ai", "ai-addressed")  # injection rules that mean text planted for an AI
NAMED_BOOST = 5.0  # how much naming a card must add to its score to count as naming it on purpose
RELATED_SCORE = 4.0  # a related card this relevant to the question gets a short paragraph too
# Cards an advice reply teaches from, when they exist (looked up by name, so content can evolve).
ADVICE_CARD_NAMES = (
    "risk management",
    "volatility",
    "position sizing",
    "diversification",
    "fomo",
    "price predictions",
    "only risk what you can afford to lose",
)
_SENTENCE = re.compile(r".+?(?:[.!?…]+[\"')\]]*(?=\s)|\n|$)\s*", re.S)


# Intents whose replies rest on the question, our cards and fixed wording only (no live prices, no
# learner data): "greeting" suggests the learner's next lesson, "advice" naming a token shows its price.
CARD_ONLY_INTENTS = frozenset({"concept", "safety", "offtopic", "injection", "advice", "news"})
ANSWER_CACHE_SIZE = 4096  # replies remembered (a few kB each): the suggested questions repeat a lot
AnswerKey = tuple[str, str, str | None, str | None]


class OfflineTutor:
    name = "offline"
    reads_learner_summary = False  # its replies never depend on the learner summary

    def __init__(self, tools: TutorTools) -> None:
        self.tools = tools
        self.kb = tools.kb
        self.coordinator = Coordinator(tools.kb, tools.tokens)
        self._answers: OrderedDict[AnswerKey, tuple[TutorEvent, ...]] = OrderedDict()  # LRU

    async def answer(self, request: TutorRequest) -> AsyncIterator[TutorEvent]:
        key = self._answer_key(request)
        known = self._answers.get(key)
        if known is not None:  # asked before in the same words and context: the same reply, no work
            self._answers.move_to_end(key)
            for event in known:
                yield event
            return
        # The CPU-heavy steps (retrieval, spelling, the safety rules, the reading grade) run on a
        # worker thread: on the event loop, a reply's 10-40 ms of them held up every other socket,
        # which is what a first frame waits behind. Everything that awaits I/O stays on the loop.
        plan = await asyncio.to_thread(self.coordinator.plan, request)
        events: list[TutorEvent] = []
        async for event in self._reply(plan, request):
            events.append(event)
            yield event
        if self._rests_on_cards_only(plan):
            self._remember(key, tuple(events))

    # --- remembered replies ----------------------------------------------------------------------
    def _answer_key(self, request: TutorRequest) -> AnswerKey:
        """Everything a reply that rests on our cards alone depends on: the question as the coordinator
        reads it, the level, the page's token, and the previous question when the coordinator may read
        this one as its follow-up. (Live facts, the learner's own data and web results are never
        remembered: see `_rests_on_cards_only`.)"""
        text = normalise_text(request.text).strip()
        previous = None
        if self.coordinator.may_follow_up(text):
            previous = next(
                (
                    turn.text
                    for turn in reversed(request.history)
                    if turn.role == "user" and turn.text.strip()
                ),
                None,
            )
        return (text, request.level, request.token_address, previous)

    def _rests_on_cards_only(self, plan: Plan) -> bool:
        """A reply built from the question, our cards and fixed wording only: the same question in the
        same context gets the same reply, so it can be remembered."""
        intents = [plan.intent] if plan.inner_intent is None else [plan.intent, plan.inner_intent]
        for intent in intents:
            if intent == "advice" and plan.tokens:
                return False  # live prices of the tokens it names
            if intent == "news" and not isinstance(self.tools.web, KnowledgeSearch):
                return False  # live web results
            if intent not in CARD_ONLY_INTENTS:
                return False
        return True

    def _remember(self, key: AnswerKey, events: tuple[TutorEvent, ...]) -> None:
        self._answers[key] = events
        self._answers.move_to_end(key)
        while len(self._answers) > ANSWER_CACHE_SIZE:
            self._answers.popitem(last=False)

    async def _reply(self, plan: Plan, request: TutorRequest) -> AsyncIterator[TutorEvent]:
        draft = Draft()
        async for status in self._compose(plan, request, draft):
            yield status
        pieces, suggestions, grade = await asyncio.to_thread(self._finish, plan, draft)
        for piece in pieces:
            yield Delta(piece)
        yield Sources(tuple(draft.sources))
        yield Done(
            intent=plan.intent,
            suggestions=suggestions,
            engine=self.name,
            warning=draft.warning,
            grade=grade,
            extra={
                "reasons": list(plan.reasons),
                "cards": [card.id for card in draft.cards],
                "tokens": [mention.token.symbol for mention in plan.tokens],
                "tools": compose.tools_used(draft.sources),
            },
        )

    def _finish(self, plan: Plan, draft: Draft) -> tuple[list[str], tuple[str, str, str], float]:
        """The last check on the text, its streaming pieces, follow-ups and grade (CPU only)."""
        _drop_forbidden(draft)
        text = draft.text
        suggestions = compose.follow_ups(self.kb, draft.cards, self._extra_follow_ups(plan))
        return split_for_streaming(text), suggestions, compose.grade(text)

    # --- per intent ------------------------------------------------------------------------------
    async def _compose(self, plan: Plan, request: TutorRequest, draft: Draft) -> AsyncIterator[Status]:
        level = request.level
        if plan.intent == "injection":
            draft.add(injection_refusal(plan.injection))
            inner = plan.inner_intent
            if inner is not None and inner not in ("injection", "offtopic", "greeting") and plan.question:
                draft.add("About the rest of your question:")
                async for status in self._answer_intent(inner, plan, request, draft):
                    yield status
            elif plan.question and plan.card_fits:
                draft.add("About the rest of your question:")
                self._concept(plan, level, draft, brief=True)
            elif plan.injection is not None and plan.injection.rule in PLANTED_ORDERS:
                # Orders planted in a token's page or a pasted text are a scam sign: say how to spot them.
                card = self.kb.find_by_name("scam red flags")
                if card is not None:
                    draft.warning = True
                    compose.explain_card(draft, card, level, brief=True)
            return
        async for status in self._answer_intent(plan.intent, plan, request, draft):
            yield status

    async def _answer_intent(
        self, intent: Intent, plan: Plan, request: TutorRequest, draft: Draft
    ) -> AsyncIterator[Status]:
        level = request.level
        if intent == "concept":
            yield Status("Looking through my cards…")
            self._concept(plan, level, draft)
        elif intent == "market":
            yield Status("Checking live Base prices…")
            await self._market(plan, level, draft)
        elif intent == "portfolio":
            yield Status("Looking at your practice portfolio…")
            await self._portfolio(plan, request, draft)
        elif intent == "advice":
            if plan.tokens:
                yield Status("Checking live Base prices…")
            await self._advice(plan, level, draft)
        elif intent == "safety":
            yield Status("Checking my safety cards…")
            self._safety(plan, level, draft)
        elif intent == "news":
            yield Status("Searching for recent news…")
            await self._news(plan, level, draft)
        elif intent == "progress":
            yield Status("Checking your lessons…")
            await self._progress(plan, request, draft)
        elif intent == "greeting":
            draft.add(greeting_reply(plan.question))
            lesson = (
                None if THANKS.search(plan.question) else await self.tools.suggest_lesson(request.user_id)
            )
            if lesson is not None:
                draft.cite(Source("progress", f"Lesson: {lesson.title}", lesson.id))
                draft.add(f'New here? A good place to start is the lesson "{lesson.title}".')
        else:
            draft.add(offtopic_reply())

    def _concept(self, plan: Plan, level: Level, draft: Draft, *, brief: bool = False) -> None:
        hits = plan.cards
        if not hits:
            draft.add(
                "I don't have a card on that yet, and nothing close either. Try asking it another way, "
                "or pick one of the questions below."
            )
            return
        best = hits[0]
        if best.score < CONCEPT_SCORE and not best.exact_alias:  # a card the question names is no "closest"
            draft.add(compose.closest_card_note(best.card))
        compose.explain_card(draft, best.card, level, brief=brief)
        draft.warning = draft.warning or best.card.safety
        second = _second_named_card(self.kb, plan, best)
        if second is not None and not brief:
            draft.add(f"**{second.title}**")
            compose.explain_card(draft, second, level, brief=True)

    async def _token_details(self, plan: Plan) -> list[TokenDetail]:
        mentions = [m for m in plan.tokens if m.strong] or list(plan.tokens)
        details = []
        for mention in mentions[:MAX_TOKENS_PER_REPLY]:
            detail = await self.tools.get_token(mention.token.address)
            if detail is not None:
                details.append(detail)
        return details

    async def _market(self, plan: Plan, level: Level, draft: Draft) -> None:
        details = await self._token_details(plan)
        if not details:
            draft.add("I couldn't find that token in the list of Base tokens I follow.")
            return
        market = self.tools.state.market
        for detail in details:
            token = market.token(detail.address)
            peg = token.reference_price_usd if token.volatility_class == "stablecoin" else None
            compose.describe_token(draft, detail, level, plan.question, peg)
        window = CHART_QUESTION.search(plan.question)
        if window:
            week = bool(re.search(r"week|7 ?d", window.group(0), re.IGNORECASE))
            timeframe, count = (Timeframe.H4, 42) if week else (Timeframe.H1, 24)
            series = await self.tools.get_candles(details[0].address, timeframe, count)
            if series is not None and series.candles:
                draft.cite(
                    Source(
                        "market",
                        f"{details[0].symbol} price chart",
                        details[0].address,
                        source=series.source,
                        as_of=series.as_of.isoformat(),
                    )
                )
                draft.add(compose.chart_summary(details[0].symbol, series, "week" if week else "24 hours"))
        draft.add(compose.simulated_note(details[0], self.tools.state.market.is_simulated))
        named = _named_card(plan)
        if named is not None:
            draft.add(f"**{named.card.title}**")
            compose.explain_card(draft, named.card, level, brief=True)

    async def _portfolio(self, plan: Plan, request: TutorRequest, draft: Draft) -> None:
        view, trades = await self.tools.portfolio_and_trades(request.user_id, 10)
        classes = {
            address: token.volatility_class for address, token in self.tools.state.market.tokens.items()
        }
        named = [mention.token.symbol for mention in plan.tokens if mention.strong]
        compose.describe_portfolio(draft, view, trades, plan.question, named, classes)
        card = _named_card(plan)
        if card is not None:
            compose.explain_card(draft, card.card, request.level, brief=True)

    async def _advice(self, plan: Plan, level: Level, draft: Draft) -> None:
        finding = _advice_finding(plan)
        draft.add(advice_opening(finding))
        details = await self._token_details(plan)
        for detail in details:
            draft.add(compose.risk_view(detail))
            draft.cite(compose.market_source(detail))
        if len(details) == 2:
            draft.add(compose.compare_line(details[0], details[1]))
        if details:
            draft.add(compose.simulated_note(details[0], self.tools.state.market.is_simulated))
        draft.add(
            "Before any trade, ask yourself:\n"
            "- Could I lose all of this money and still be okay?\n"
            "- Is it only a small part of what I have?\n"
            "- Do I know why the price moved, or am I just following hype?"
        )
        card = self._risk_card(plan, finding)
        if card is not None:
            compose.explain_card(draft, card, level, brief=True)
        draft.add("You can test your ideas with play money in the practice portfolio first.")

    def _risk_card(self, plan: Plan, finding: Finding | None) -> Card | None:
        """The card an advice reply teaches from: the question's own topic if it is about risk, else the
        card on predictions (for "will it hit $1") or on managing risk."""
        for hit in plan.cards[:3]:
            if hit.score >= CONCEPT_SCORE and any(name in hit.card.names for name in ADVICE_CARD_NAMES):
                return hit.card
        preferred = ("price predictions",) if finding and finding.rule.startswith("predict") else ()
        for name in (*preferred, *ADVICE_CARD_NAMES):
            card = self.kb.find_by_name(name)
            if card is not None:
                return card
        return None

    def _safety(self, plan: Plan, level: Level, draft: Draft) -> None:
        draft.warning = True
        draft.add(safety_opening(plan.safety))
        card = next((hit.card for hit in plan.cards[:3] if hit.card.safety), None)
        card = card or (plan.cards[0].card if plan.cards else None)
        if card is not None:
            compose.explain_card(draft, card, level, brief=True)
        draft.add(
            "If you already shared a secret or signed something, move what is left to a new wallet now, "
            "and revoke old approvals. When in doubt, stop and ask."
        )

    async def _news(self, plan: Plan, level: Level, draft: Draft) -> None:
        results = await self.tools.web_search(plan.question)
        live = [result for result in results if result.kind == "web"]
        if live:
            compose.describe_results(draft, live)
            hit = plan.cards[0] if plan.cards else None
            if hit is not None and hit.score >= CONCEPT_SCORE:
                draft.add("Some background from my cards:")
                compose.explain_card(draft, hit.card, level, brief=True)
            return
        draft.add(
            "I don't have a live news feed set up right now, so I can't tell you what was announced or "
            "reported recently. For news, check the official blog or a news site you trust."
        )
        background = next((r for r in results if r.kind == "knowledge_search" and r.card_id), None)
        card = self.kb.get(background.card_id or "") if background else None
        if background is not None and card is not None:
            draft.add("Here is some background from my cards (a knowledge search, not the news):")
            draft.cite(compose.web_source(background))
            compose.explain_card(draft, card, level, brief=True, cite=False)

    async def _progress(self, plan: Plan, request: TutorRequest, draft: Draft) -> None:
        progress = await self.tools.get_progress(request.user_id)
        # "What should I learn about staking?" names a topic; "what next?" takes the learner's next lesson.
        topic = plan.cards[0].card.title if plan.card_fits else None
        lesson = await self.tools.suggest_lesson(request.user_id, topic) if topic else None
        compose.describe_progress(draft, progress, lesson or progress.next_lesson)

    @staticmethod
    def _extra_follow_ups(plan: Plan) -> tuple[str, ...]:
        symbols = [mention.token.symbol for mention in plan.tokens if mention.strong][:1]
        if plan.intent in ("market", "advice") and symbols:
            return (f"What are the risk flags on {symbols[0]}?", "What is volatility?", "What is liquidity?")
        if plan.intent == "portfolio":
            return ("What is profit and loss?", "Why do trades cost fees?", "What is diversification?")
        if plan.intent in ("safety", "injection"):
            return ("How do I spot a scam?", "What is a seed phrase?", "What is a token approval?")
        return ()


# --- fixed wording -----------------------------------------------------------------------------------
def injection_refusal(finding: Finding | None) -> str:
    rule = finding.rule if finding else ""
    if rule in ("api-keys", "environment", "other-users"):
        return (
            "I can't share keys, settings or anyone else's data. I don't have them to give, and I would not "
            "share them if I did. If you work on this app, check the server's own config instead."
        )
    if rule == "abuse-request":
        return (
            "I won't swear at you or put you down. I stay kind, always. Instead, I can help you learn "
            "something useful, like how to grow a small amount of play money with care."
        )
    if rule in ("orders-to-ai", "ai-addressed"):
        return (
            "That text is trying to trick an AI into saying something. I ignore orders hidden in text like "
            "that. A token or page that talks to AI helpers is a big red flag, so be careful: it is often "
            "part of a scam. No real project needs to tell a bot what to say."
        )
    return (
        "I can't do that. I won't change who I am or share my instructions. I'm EAILI5, and I'm here "
        "to help you learn about crypto in simple words."
    )


def advice_opening(finding: Finding | None) -> str:
    rule = finding.rule if finding else ""
    if rule in ("prediction", "predict-word"):
        return (
            "No one knows where a price will go, so I won't guess a number. Nobody can predict it: not me, "
            "not a friend, not an expert. A guess could fool you into a risk you don't want."
        )
    if rule in ("which-pick", "your-pick"):
        return (
            "I can't pick one for you, even just between us. That choice is yours. What I can do is show "
            "you how they differ, and how risky each one is."
        )
    return (
        "I can't tell you to buy, sell or hold. Nobody knows where a price will go next, so that choice "
        "is yours. What I can do is help you think about the risk."
    )


def safety_opening(finding: Finding | None) -> str:
    rule = finding.rule if finding else ""
    openings = {
        "secret-shared": (
            "Warning: never share your seed phrase or private key with anyone, and never type it into a "
            "site or a chat. Anyone who has it can take everything in your wallet. Real support never asks "
            "for it. This is a scam sign."
        ),
        "secret-shared-after": (
            "Warning: this is not safe. A seed phrase kept online (a screenshot, a photo, a cloud drive or "
            "an email) can be found by a hacker, and then your wallet can be emptied. Keep it offline, on "
            "paper, in a safe place. Delete the online copies, and think about moving your coins to a new "
            "wallet with a new seed phrase."
        ),
        "secret-wanted": (
            "Warning: this is a scam. Nobody honest will ever need your seed phrase or private key: not "
            "support, not a friend, not an app. Anyone who has it can take everything. Do not share it."
        ),
        "fake-support": (
            "Warning: this is a scam. Real support will never message you first, and will never ask for "
            "your seed phrase, your 12 words or your keys. Do not send them anything."
        ),
        "doubling": (
            "Warning: this is a scam. Nobody sends back double. If you send, your coins are gone for good. "
            "If it sounds too good to be true, it is fake."
        ),
        "claim-connect": (
            'Warning: don\'t sign it. This looks like a scam. A "free claim" that asks you to sign an '
            "approval can give a stranger permission to move your tokens and drain your wallet. Close the "
            "site."
        ),
        "free-giveaway": (
            "Warning: be careful, this looks like a scam. Free coins that need you to connect, sign or send "
            "first are a common trick to drain wallets. Don't sign anything."
        ),
        "unknown-token-arrived": (
            "Warning: be careful, this is a common scam. Tokens that show up in your wallet by themselves "
            "are often bait. Don't try to sell or swap them, and don't visit the site they point to: that "
            "is how wallets get drained. Just leave them alone."
        ),
        "compromised": (
            "Warning: this is a classic scam. A message that says your wallet is in danger and you must act "
            "fast is a trick. Never send your seed phrase or coins to anyone who says they will keep them "
            "safe."
        ),
    }
    return openings.get(
        rule,
        "Warning: this looks risky, and it may be a scam. Don't send coins, sign anything or share your "
        "seed phrase until you are sure. If it sounds too good to be true, it is fake.",
    )


THANKS = re.compile(r"\b(thanks?|thank you|thx|ty)\b", re.IGNORECASE)


def greeting_reply(text: str) -> str:
    if THANKS.search(text):
        return "You're welcome! Ask me more about crypto, coins, wallets or Base any time."
    return (
        "Hi! I'm EAILI5, your crypto tutor. Ask me anything about crypto, coins, wallets or Base, "
        "and I'll explain it in simple words."
    )


def offtopic_reply() -> str:
    return (
        "That's a bit outside what I know. I'm a crypto tutor, so I stick to crypto, coins, blockchains "
        "and Base. Want to learn something about crypto instead? Pick a question below, or ask me anything."
    )


# --- helpers -------------------------------------------------------------------------------------------
def split_for_streaming(text: str) -> list[str]:
    """Sentence-sized pieces whose concatenation is exactly `text`."""
    pieces = _SENTENCE.findall(text)
    if "".join(pieces) != text:  # never lose a character to the splitter
        return [text] if text else []
    return pieces


def _drop_forbidden(draft: Draft) -> None:
    """A last check on what we are about to say: no paragraph that advises, predicts or picks."""
    draft.paragraphs = [p for p in draft.paragraphs if reply_violation(p) is None]


def _second_named_card(kb: KnowledgeBase, plan: Plan, best: CardHit) -> Card | None:
    """A second card worth a short paragraph, the most relevant of: a card the question also names
    ("market cap vs FDV"), or a card related to the best one that the question touches too ("how does
    USDC stay at $1": stablecoins)."""
    candidates = {
        hit.card.id: hit.bm25 for hit in plan.cards[1:3] if hit.exact_alias and hit.score >= CONCEPT_SCORE
    }
    for card_id, score in kb.relevance(plan.question, best.card.related).items():
        if score >= RELATED_SCORE:
            candidates[card_id] = max(score, candidates.get(card_id, 0.0))
    if not candidates:
        return None
    return kb.get(max(candidates.items(), key=lambda item: (item[1], item[0]))[0])


def _named_card(plan: Plan) -> CardHit | None:
    """A card the question names outright and specifically ("market cap", not just "price"), to explain
    next to live facts."""
    for hit in plan.cards[:3]:
        if hit.exact_alias and hit.score >= CONCEPT_SCORE and hit.score - hit.bm25 >= NAMED_BOOST:
            return hit
    return None


def _advice_finding(plan: Plan) -> Finding | None:
    return advice_request(plan.question)
