"""What a question needs: its intent, the tokens it names, the cards that fit, and which tools to call.

Deterministic and explainable: ordered rules (the first that fires wins) over the learner's words, the
tokens they name (resolved against the market's list) and retrieval scores. `Plan.reasons` says why.

Order matters and is deliberate:
1. injection — an attempt to override us or extract secrets is refused first (the rest is still answered);
2. safety — a risky situation (someone wants your seed phrase) needs the warning before anything else;
3. advice — "should I buy BRETT?" is never answered as a market or portfolio question;
4. portfolio, progress — the learner's own data;
5. market — a listed token plus a question about its price, size or moves;
6. news — recent events;
7. greeting; concept (a card fits); a crypto-ish question without a good card (the closest card);
8. offtopic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from eaili5.market.schemas import Token
from eaili5.tutor.engine import Intent, Turn, TutorRequest
from eaili5.tutor.knowledge import CardHit, KnowledgeBase, question_focus, words
from eaili5.tutor.safety import (
    Finding,
    advice_request,
    injection,
    normalise_text,
    safety_situation,
    secret_request,
    without_injection,
)
from eaili5.tutor.tools import TokenDirectory, TokenMention


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# A question about a token's numbers. Strong cues decide alone; weak ones ("$1", "peg") only when the
# question is not an explanation ("how does USDC stay at $1" is about stablecoins, not today's price).
MARKET_STRONG = _rx(
    r"\b(price|prices|priced|worth|how much (is|are|does)|trading at|market ?cap|mcap|fdv|volume|liquidity|"
    r"up or down|up today|down today|pumping|dumping|chart|candles?|24 ?h|right now|rn|today|tday|2day|"
    r"at the moment|currently|still at|sitting at|going for|risky|risk flags?|red flags?|volatile|"
    r"move|moved|moving|movement|trend|trending|this week|past week|last week|history|performance|doing)\b|"
    r"%|\bpercent\b"
)
MARKET_WEAK = _rx(r"\$\s?\d|\bpeg(ged)?\b|\bup\b|\bdown\b")
EXPLANATION = _rx(
    r"^\s*(how|why|what)\b|\bhow (does|do|can|is)\b|\bwhy (does|do|is)\b|\bwhat (is|are|does)\b"
)

PORTFOLIO = _rx(
    r"\bmy (practice |paper |play )?(portfolio|trades|holdings?|positions?|balance|bags?|p&l|pnl|profits?|"
    r"losses|gains|returns?|cash)\b|\bmy \$\s?\d+|\bhow'?s my\b|\bhow (is|are) my\b|"
    r"\bam i (up|down|in profit|losing|winning)\b|\b(trades|swaps|buys|sells) (i|i've) (made|done|did)\b|"
    r"\bpractice portfolio\b|"
    r"\bpaper trad(e|es|ing)\b.*\bmy\b|\bwhat (do|did) i (own|hold|have|buy|bought)\b"
)
# A "will it go up" question is a price prediction only when it is about a coin or a price.
PRICE_SUBJECT = _rx(
    r"\b(it|price|prices|coin|coins|token|tokens|crypto|bitcoin|btc|eth|ether|market|memecoin)\b"
)
# Money held elsewhere: questions about it are concepts (custody, exchanges), not our practice portfolio.
OUTSIDE_VENUE = _rx(
    r"\b(coinbase|binance|kraken|robinhood|metamask|rainbow|phantom|revolut|paypal|cash app|bank|"
    r"exchange account|the app|my (wallet )?app|ledger|trezor)\b"
)
PRACTICE = _rx(r"\b(practice|paper|play money|practise|here|this app|eaili5)\b")
I_TRADED = _rx(r"\bi(?:'ve| have)? (?:never |just |already |recently |once )?(bought|sold|swapped|traded)\b")
MY_WORD = _rx(r"\bmy \$?([a-z][a-z0-9]{1,15})\b")
PROGRESS = _rx(
    r"\bmy (progress|lessons?|xp|streak|level|quiz(zes)?|badges?|learning)\b|"
    r"\bwhat should i (learn|study|read)\b|\blearn next\b|\bnext lesson\b|\bwhich lessons?\b|"
    r"\bwhere (do|should) i start\b|\bhow am i doing\b"
)
NEWS = _rx(
    r"\b(news|latest|recent|recently|this week|last week|this month|yesterday|today|tonight|lately|"
    r"announce|announced|announces|announcement|headlines?|breaking|this year)\b"
)
GREETING = _rx(
    r"^\s*(hi+|hello|hey+|yo|gm|hiya|howdy|good (morning|afternoon|evening)|thanks?( a lot| so much)?|"
    r"thank you|thx|ty|sup|what'?s up)\b[\s!.,]*(there|eaili5|bot|friend|mate)?[\s!.,:)]*$"
)
_CRYPTO_WORDS_TEXT = (
    "crypto cryptocurrency cryptocurrencies coin coins token tokens blockchain blockchains wallet "
    "wallets defi nft nfts base ethereum eth bitcoin btc swap swaps swapping trade trading exchange "
    "dex cex onchain chain chains web3 ledger mining miner stake staking yield pool pools liquidity "
    "gas fee fees address seed phrase key keys scam scams airdrop memecoin memecoins stablecoin "
    "stablecoins usdc weth satoshi layer rollup bridge dao daos contract contracts protocol validator "
    "portfolio price market money invest investing investment lose losing loss profit savings "
)
CRYPTO_WORDS = frozenset(_CRYPTO_WORDS_TEXT.split())

# Follow-ups that only make sense with the previous question.
FOLLOW_UP_MAX_WORDS = 6
MORE_PLEASE = _rx(
    r"^\s*(tell me more|more|go on|and\??|why\??|how\??|more details?|explain more|keep going)[\s?!.]*$"
)
SAME_FOR = _rx(r"^\s*(and|what about|how about|same for|now|ok and|and for)\b")


def _only_names(text: str, mentions: list[TokenMention]) -> bool:
    rest = text
    for mention in mentions:
        rest = rest.replace(mention.text, " ")
    return not re.sub(r"[\s?!.,&+]|\band\b|\bor\b", "", rest, flags=re.IGNORECASE)


@lru_cache(maxsize=4096)
def _question(text: str) -> tuple[Finding | None, str]:
    """An attempt to instruct us (if any) and the question left to answer without it."""
    attack = injection(text) or secret_request(text)
    return attack, without_injection(text) if attack else text


# Retrieval scores (see knowledge.py): a concept question needs a card this good; below WEAK, no card fits.
CONCEPT_SCORE = 6.0
WEAK_SCORE = 2.5


@dataclass(frozen=True)
class Plan:
    intent: Intent
    reasons: tuple[str, ...]
    question: str  # what to answer: the text without sentences that tried to instruct us
    tokens: tuple[TokenMention, ...] = ()
    cards: tuple[CardHit, ...] = ()
    tools: tuple[str, ...] = ()
    injection: Finding | None = None
    safety: Finding | None = None
    # For an injection: the intent of what is left of the question, which is still answered.
    inner_intent: Intent | None = None

    @property
    def strong_tokens(self) -> tuple[Token, ...]:
        return tuple(mention.token for mention in self.tokens if mention.strong)

    @property
    def card_fits(self) -> bool:
        return bool(self.cards) and self.cards[0].score >= CONCEPT_SCORE


TOOLS: dict[Intent, tuple[str, ...]] = {
    "concept": ("search_knowledge",),
    "market": ("get_token", "search_knowledge"),
    "portfolio": ("get_portfolio", "get_recent_trades", "search_knowledge"),
    "progress": ("get_progress", "suggest_lesson"),
    "news": ("web_search", "search_knowledge"),
    "safety": ("search_knowledge",),
    "advice": ("get_token", "search_knowledge"),
    "injection": ("search_knowledge",),
    "offtopic": (),
    "greeting": ("suggest_lesson",),
}


class Coordinator:
    def __init__(self, kb: KnowledgeBase, tokens: TokenDirectory) -> None:
        self.kb, self.tokens = kb, tokens

    def plan(self, request: TutorRequest) -> Plan:
        text = normalise_text(request.text).strip()
        attack, question = _question(text)
        question, follow_up = self._follow_up(question, request.history)
        mentions = self._mentions(question, request.token_address)
        named = frozenset(
            word for m in mentions for word in (m.text.lower().lstrip("$"), m.token.symbol.lower())
        )
        cards = tuple(self.kb.search(question, 5, incidental=named)) if question else ()
        intent, reasons = self._decide(text, question, attack, mentions, cards)
        if follow_up:
            reasons = (follow_up, *reasons)
        inner: Intent | None = None
        if attack is not None:
            inner = intent
            intent, reasons = (
                "injection",
                (f"injection rule '{attack.rule}' matched {attack.match!r}", *reasons),
            )
        tools = TOOLS[intent]
        if intent in ("market", "advice") and not any(m.strong or intent == "market" for m in mentions):
            tools = tuple(tool for tool in tools if tool != "get_token")
        return Plan(
            intent=intent,
            reasons=reasons,
            question=question,
            tokens=mentions,
            cards=cards,
            tools=tools,
            injection=attack,
            safety=safety_situation(question) if question else None,
            inner_intent=inner,
        )

    @staticmethod
    def may_follow_up(text: str) -> bool:
        """Whether `plan` may read this (normalised) text with the learner's previous question."""
        return len(words(_question(text)[1])) <= FOLLOW_UP_MAX_WORDS

    def _follow_up(self, text: str, history: tuple[Turn, ...]) -> tuple[str, str | None]:
        """A short follow-up ("and BRETT?", "tell me more") is read with the learner's previous question."""
        previous = next(
            (turn.text for turn in reversed(history) if turn.role == "user" and turn.text.strip()), None
        )
        if previous is None or len(words(text)) > FOLLOW_UP_MAX_WORDS:
            return text, None
        previous = normalise_text(previous).strip()
        if MORE_PLEASE.match(text):
            return previous, f"follow-up {text!r} to {previous!r}"
        new = [m for m in self.tokens.mentions(text) if m.strong]
        if new and (SAME_FOR.match(text) or _only_names(text, new)):
            old = [m for m in self.tokens.mentions(previous) if m.strong]
            symbol = new[0].token.symbol
            rewritten = previous.replace(old[0].text, symbol) if old else f"{previous} ({symbol})"
            return rewritten, f"follow-up {text!r}: the previous question about {symbol}"
        return text, None

    def _mentions(self, text: str, token_address: str | None) -> tuple[TokenMention, ...]:
        mentions = self.tokens.mentions(text)
        if token_address:
            token = self.tokens.find(token_address)
            if token is not None and all(m.token.address != token.address for m in mentions):
                mentions.insert(0, TokenMention(token, "this token", True))
        return tuple(mentions)

    def _decide(
        self,
        text: str,
        question: str,
        attack: Finding | None,
        mentions: tuple[TokenMention, ...],
        cards: tuple[CardHit, ...],
    ) -> tuple[Intent, tuple[str, ...]]:
        if not question:
            return "injection", ("nothing left to answer once the instructions were set aside",)
        found = safety_situation(question)
        if found:
            return "safety", (f"safety rule '{found.rule}' matched {found.match!r}",)
        found = advice_request(question)
        if found and (found.rule != "prediction" or mentions or PRICE_SUBJECT.search(question)):
            return "advice", (f"advice rule '{found.rule}' matched {found.match!r}",)
        why = self._portfolio_reason(question, mentions)
        if why:
            return "portfolio", (why,)
        match = PROGRESS.search(question)
        if match:
            return "progress", (f"progress phrase {match.group(0)!r}",)
        why = self._market_reason(question, mentions)
        if why:
            return "market", (why,)
        match = NEWS.search(question)
        if match:
            return "news", (f"news phrase {match.group(0)!r}",)
        if GREETING.match(question):
            return "greeting", ("a greeting",)
        best = cards[0] if cards else None
        if best and best.score >= CONCEPT_SCORE:
            return "concept", (f"card '{best.card.id}' fits (score {best.score})",)
        crypto = self._crypto_words(question) | self._named_in_focus(question)
        if best and best.score >= WEAK_SCORE and (crypto or best.exact_alias):
            return "concept", (
                f"crypto words {sorted(crypto)[:3]}; closest card '{best.card.id}' ({best.score})",
            )
        if crypto or mentions:
            return "concept", (f"crypto words {sorted(crypto)[:3]} but no card fits well",)
        return "offtopic", ("no crypto words and no card fits",)

    def _portfolio_reason(self, text: str, mentions: tuple[TokenMention, ...]) -> str | None:
        if OUTSIDE_VENUE.search(text) and not PRACTICE.search(text):
            return None  # "my balance in the Coinbase app" is about another app, not our practice portfolio
        match = PORTFOLIO.search(text)
        if match:
            return f"portfolio phrase {match.group(0)!r}"
        strong = {m.text.lower().lstrip("$") for m in mentions if m.strong}
        strong |= {m.token.symbol.lower().lstrip("$") for m in mentions if m.strong}
        traded = I_TRADED.search(text)
        if traded and strong:
            return f"'{traded.group(0)}' a listed token"
        for mine in MY_WORD.finditer(text):
            if mine.group(1).lower() in strong:
                return f"'{mine.group(0)}': a token the learner holds"
        return None

    @staticmethod
    def _market_reason(text: str, mentions: tuple[TokenMention, ...]) -> str | None:
        if not mentions:
            return None
        strong = MARKET_STRONG.search(text)
        names = ", ".join(m.token.symbol for m in mentions)
        if strong and (
            any(m.strong for m in mentions) or re.search(r"\bprice\b|\bworth\b|how much", text, re.I)
        ):
            return f"token {names} and market phrase {strong.group(0)!r}"
        weak = MARKET_WEAK.search(text)
        if weak and any(m.strong for m in mentions) and not EXPLANATION.search(text):
            return f"token {names} and {weak.group(0)!r}"
        return None

    def _named_in_focus(self, text: str) -> set[str]:
        """Words of a card's title that the question asks about ("what is governance")."""
        return {
            word
            for word in words(question_focus(text))
            if len(word) >= 5 and not word.isdigit() and word in self.kb.title_words
        }

    @staticmethod
    def _crypto_words(text: str) -> set[str]:
        return {word for word in words(text) if word in CRYPTO_WORDS}
