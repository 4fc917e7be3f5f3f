"""Reply text for the offline tutor, built from cards and live facts at the learner's level.

Pure functions: facts in, paragraphs out. Every sentence we write ourselves is short and plain, so an
ELI5 reply stays near a 4th-grade reading level; card text is used as written (it is graded by tests).
Third-party text (token names, web titles) is passed through `neutralise` and quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from eaili5.content.readability import reading_grade
from eaili5.market.schemas import CandleSeries, TokenDetail
from eaili5.portfolio.schemas import HoldingOut, PortfolioOut, TradeOut
from eaili5.tutor.engine import LEVEL_MAX_GRADE, Level, Source
from eaili5.tutor.knowledge import Card, KnowledgeBase
from eaili5.tutor.providers.base import WebResult
from eaili5.tutor.safety import looks_like_instructions, neutralise
from eaili5.tutor.tools import (
    LessonPick,
    Progress,
    card_source,
    market_source,
    portfolio_source,
    progress_source,
    web_source,
)

__all__ = ["Draft", "market_source", "web_source"]


@dataclass
class Draft:
    """A reply being written: paragraphs, the sources they rest on, and the cards for follow-ups."""

    paragraphs: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    warning: bool = False

    def add(self, *paragraphs: str | None) -> None:
        self.paragraphs.extend(p.strip() for p in paragraphs if p and p.strip())

    def cite(self, source: Source) -> None:
        if source not in self.sources:
            self.sources.append(source)

    def use_card(self, card: Card) -> None:
        if card not in self.cards:
            self.cards.append(card)
        self.cite(card_source(card.id, card.title))

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


# --- numbers in plain words ------------------------------------------------------------------------
def usd(value: Decimal | None) -> str:
    """$1,234.56, or enough digits for tiny prices ($0.0000123)."""
    if value is None:
        return "unknown"
    if value == 0:
        return "$0"
    if abs(value) >= 1:
        return "$" + format(value.quantize(Decimal("0.01"), ROUND_HALF_EVEN), ",f")
    digits = Decimal(1).scaleb(value.adjusted() - 3)  # four significant digits
    return "$" + format(value.quantize(digits, ROUND_HALF_EVEN).normalize(), "f")


def big_usd(value: Decimal | None) -> str:
    """$12.3 million, $456,000."""
    if value is None:
        return "unknown"
    for size, word in ((Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")):
        if abs(value) >= size:
            return f"${(value / size).quantize(Decimal('0.1'), ROUND_HALF_EVEN)} {word}"
    return "$" + format(value.quantize(Decimal(1), ROUND_HALF_EVEN), ",f")


def pct(value: Decimal | None) -> str:
    if value is None:
        return "unknown"
    return format(abs(value).quantize(Decimal("0.1"), ROUND_HALF_EVEN), "f") + "%"


def small_pct(value: Decimal) -> str:
    return "less than 0.1%" if abs(value) < Decimal("0.05") else pct(value)


def up_or_down(value: Decimal | None) -> str:
    if value is None:
        return "not known"
    if abs(value) < Decimal("0.05"):
        return "about flat (0.0%)"
    if value > 0:
        return f"up {pct(value)}"
    return f"down {pct(value)}"


def quoted_symbol(symbol: str) -> str:
    return neutralise(symbol, 24)


# --- cards ---------------------------------------------------------------------------------------
@lru_cache(maxsize=16384)
def grade(text: str) -> float:
    """`reading_grade`, remembered: card pieces and whole concept replies repeat, and scoring costs ms."""
    return reading_grade(text)


def analogy_line(card: Card) -> str:
    return f"Think of it like this: {card.analogy}"


def fits_level(text: str, level: Level) -> bool:
    """Extra pieces (analogy, key points) are added only if they read at the level."""
    return grade(text) <= LEVEL_MAX_GRADE[level] + (1.0 if level == "eli5" else 0.0)


def explain_card(draft: Draft, card: Card, level: Level, *, brief: bool = False, cite: bool = True) -> None:
    """The card at the level; with its analogy and key points unless `brief`."""
    if cite:
        draft.use_card(card)
    elif card not in draft.cards:
        draft.cards.append(card)
    draft.add(card.text(level))
    if brief:
        return
    analogy = analogy_line(card)
    if fits_level(analogy, level):
        draft.add(analogy)
    points = [point for point in card.key_points if fits_level(point, level)]
    if points and level != "eli5":
        draft.add("Key points:\n" + "\n".join(f"- {_sentence(point)}" for point in points))
    elif points:
        draft.add("Remember: " + " ".join(_sentence(point) for point in points[:2]))
    if level == "pro":
        draft.add(f"A common mix-up: {card.misconception}")
        for reference in card.references[:2]:
            draft.cite(Source("card", reference.title, card.id, reference.url))


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def closest_card_note(card: Card) -> str:
    return f"I don't have a card on that yet — here's the closest thing I have: {card.title}."


# --- market --------------------------------------------------------------------------------------
def simulated_note(detail: TokenDetail, simulated: bool) -> str:
    when = detail.as_of.strftime("%H:%M UTC") if detail.as_of else "an unknown time"
    if simulated or detail.source == "simulated":
        return f"These numbers come from our practice market, which is simulated, not real (as of {when})."
    stale = " They may be out of date." if detail.stale else ""
    return f"Source: {detail.source}, as of {when}.{stale}"


def describe_token(
    draft: Draft, detail: TokenDetail, level: Level, asked: str, peg: Decimal | None = None
) -> None:
    """Price, move, size and risk flags of one token, in short sentences (the data note comes after).
    `peg` is a stablecoin's target price."""
    symbol = quoted_symbol(detail.symbol)
    draft.cite(market_source(detail))
    if detail.price_usd is None:
        lines = [f"I don't have a fresh price for {symbol} right now, so I won't guess one."]
    else:
        lines = [f"{symbol} costs about {usd(detail.price_usd)} right now."]
    if peg is not None and detail.price_usd is not None:
        lines.append(peg_line(symbol, detail.price_usd, peg))
    wrapped = wrapped_line(symbol, detail.name)
    if wrapped:
        lines.append(wrapped)
    if detail.change_24h_pct is not None:
        lines.append(f"In the last 24 hours it is {up_or_down(detail.change_24h_pct)}.")
    wants = asked.lower()
    if detail.market_cap_usd is not None:
        lines.append(
            f"Its market cap (price times coins out there) is about {big_usd(detail.market_cap_usd)}."
        )
    elif "market cap" in wants or "mcap" in wants:
        lines.append("This source does not give its market cap right now.")
    if detail.fdv_usd is not None and (level != "eli5" or "fdv" in wants):
        lines.append(f"Its FDV (value if every coin ever made were out) is about {big_usd(detail.fdv_usd)}.")
    if detail.volume_24h_usd is not None:
        lines.append(f"People traded about {big_usd(detail.volume_24h_usd)} of it in 24 hours (its volume).")
    if detail.liquidity_usd is not None:
        lines.append(f"Its main pool holds about {big_usd(detail.liquidity_usd)} of liquidity.")
    draft.add(" ".join(lines))
    draft.add(impact_hint(detail, asked))
    draft.add(risk_lines(detail, level))


def peg_line(symbol: str, price: Decimal, peg: Decimal) -> str:
    gap = abs(price / peg - 1) * 100
    where = "very close to" if gap < Decimal("0.5") else "a bit away from" if gap < 2 else "well off"
    return f"{symbol} is a stablecoin made to stay at {usd(peg)} (its peg), and right now it is {where} that."


def wrapped_line(symbol: str, name: str) -> str | None:
    """ "Coinbase Wrapped BTC": a wrapped token follows the coin it stands for, one for one."""
    if "wrapped" not in name.lower():
        return None
    underlying = name.lower().split("wrapped", 1)[1].strip() or "the coin it wraps"
    underlying = underlying.replace("btc", "bitcoin (BTC)").replace("ether", "ETH")
    return (
        f"{symbol} is a wrapped token: each one is backed 1:1 by {neutralise(underlying, 40)}, so its price "
        "should stay very close to that coin's price."
    )


# "$50 of TOSHI", "swap like $50": an amount the learner wants to trade.
_TRADE_AMOUNT = re.compile(
    r"\$\s?(\d[\d,]*(?:\.\d+)?)\s*(?:of|worth)\b"
    r"|\b(?:swap|trade|buy|sell|put in|spend)\w*\s+(?:like |about |around |maybe )?\$\s?(\d[\d,]*(?:\.\d+)?)",
    re.IGNORECASE,
)


def impact_hint(detail: TokenDetail, asked: str) -> str | None:
    """For "can I swap $50 without moving the price": the trade's share of the pool."""
    amount = _trade_amount(asked)
    if amount is None or not detail.liquidity_usd:
        return None
    share = amount / detail.liquidity_usd * 100
    size = "tiny" if share < Decimal("0.1") else "small" if share < 1 else "big"
    part = "less than 0.1%" if share < Decimal("0.1") else f"about {pct(share)}"
    return (
        f"A {usd(amount)} trade is {part} of that pool, which is {size}. "
        f"{'So the price impact should be small.' if size != 'big' else 'So it could move the price a lot.'} "
        "Price impact is how much your own trade moves the price."
    )


def _trade_amount(text: str) -> Decimal | None:
    match = _TRADE_AMOUNT.search(text)
    if not match:
        return None
    return Decimal((match.group(1) or match.group(2)).replace(",", ""))


def chart_summary(symbol: str, series: CandleSeries, span: str) -> str:
    """The price path in one sentence: where it opened, its high and low, where it is now."""
    first, last = series.candles[0], series.candles[-1]
    high = max(candle.h for candle in series.candles)
    low = min(candle.l for candle in series.candles)
    change = (last.c / first.o - 1) * 100 if first.o else None
    return (
        f"Over the last {span}, {quoted_symbol(symbol)} started near {usd(first.o)}, went as high as "
        f"{usd(high)} and as low as {usd(low)}, and is now near {usd(last.c)} ({up_or_down(change)})."
    )


def risk_view(detail: TokenDetail) -> str:
    """How risky a token looks right now, in facts (never a verdict)."""
    symbol = quoted_symbol(detail.symbol)
    kinds = {
        "stablecoin": "a stablecoin, made to stay near a set price",
        "blue_chip": "one of the big, well-known coins, but its price still moves",
        "mid_cap": "a mid-size coin, and its price can move a lot",
        "memecoin": "a memecoin, and memecoins are very volatile: they can swing hard up or down in hours",
        "new_illiquid": "a new coin with little money in its pool, so it is very risky",
    }
    lines = [f"{symbol} is {kinds.get(detail.volatility_class, 'a token')}."]
    if detail.change_24h_pct is not None:
        lines.append(
            f"In the last 24 hours it is {up_or_down(detail.change_24h_pct)}, "
            f"at about {usd(detail.price_usd)}."
        )
    if detail.liquidity_usd is not None:
        lines.append(f"Its main pool holds about {big_usd(detail.liquidity_usd)}.")
    if detail.risk_flags:
        lines.append(risk_lines(detail, "simple") or "")
    return " ".join(line for line in lines if line)


_CALM_ORDER = ("stablecoin", "blue_chip", "mid_cap", "memecoin", "new_illiquid")


def compare_line(first: TokenDetail, second: TokenDetail) -> str | None:
    """The main difference in risk between two tokens, when their kinds differ."""
    a, b = first.volatility_class, second.volatility_class
    if a == b or a not in _CALM_ORDER or b not in _CALM_ORDER:
        return None
    calm, wild = (first, second) if _CALM_ORDER.index(a) < _CALM_ORDER.index(b) else (second, first)
    return (
        f"The big difference: {quoted_symbol(wild.symbol)} is usually much more volatile than "
        f"{quoted_symbol(calm.symbol)}. It can rise faster, but it can also fall faster and further."
    )


def risk_lines(detail: TokenDetail, level: Level) -> str | None:
    if not detail.risk_flags:
        if detail.volatility_class == "memecoin":
            return "No red flags right now, but it is a memecoin, and those can swing hard."
        return None
    flags = " ".join(f"{flag.title}: {flag.explanation}" for flag in detail.risk_flags[:3])
    return f"Risk flags: {flags}"


# --- portfolio -------------------------------------------------------------------------------------
def describe_portfolio(
    draft: Draft,
    view: PortfolioOut | None,
    trades: Sequence[TradeOut],
    asked: str,
    named: Iterable[str],
    classes: Mapping[str, str],
) -> None:
    draft.cite(portfolio_source())
    if view is None:
        draft.add(
            "You have not made a practice trade yet. Your practice portfolio still has $100 of play money. "
            "Try a small trade from a token's page, then ask me again."
        )
        return
    total, change = usd(view.total_value_usd), up_or_down(view.total_return_pct)
    draft.add(
        f"Your practice portfolio is worth {total} now. You started with {usd(view.starting_cash_usd)}, "
        f"so you are {change}. You have {usd(view.cash_usd)} in cash."
    )
    names = {name.lower() for name in named}
    focus = [h for h in view.holdings if h.symbol.lower() in names] or list(view.holdings)
    if focus:
        draft.add("\n".join(f"- {holding_line(h)}" for h in focus[:8]))
    mix = class_mix(view.holdings, classes)
    if mix:
        draft.add(mix)
    if trades and _wants_trades(asked):
        # Trades of the tokens the question names come first: "where did my 20 cents of WETH go".
        ordered = sorted(trades, key=lambda t: t.symbol.lower() not in names)
        draft.cite(portfolio_source("Your practice trades"))
        draft.add("Your latest trades:\n" + "\n".join(f"- {trade_line(t)}" for t in ordered[:5]))
        draft.add(cost_note(ordered[0]))


def holding_line(holding: HoldingOut) -> str:
    symbol = quoted_symbol(holding.symbol)
    value = usd(holding.value_usd)
    basis = usd(holding.cost_basis_usd)
    pnl = ""
    if holding.unrealized_pnl_usd is not None and holding.unrealized_pnl_pct is not None:
        direction = "up" if holding.unrealized_pnl_usd >= 0 else "down"
        pnl = f", {direction} {usd(abs(holding.unrealized_pnl_usd))} ({pct(holding.unrealized_pnl_pct)})"
    share = "" if holding.share_pct is None else f", {pct(holding.share_pct)} of your portfolio"
    return f"{symbol}: you bought it for {basis} and it is worth {value} now{pnl}{share}."


def class_mix(holdings: Sequence[HoldingOut], classes: Mapping[str, str]) -> str | None:
    """ "Memecoins are 32.0% of your portfolio": the share of each kind of token."""
    shares: dict[str, Decimal] = {}
    for holding in holdings:
        kind = classes.get(holding.token.lower())
        if kind and holding.share_pct is not None:
            shares[kind] = shares.get(kind, Decimal(0)) + holding.share_pct
    if not shares:
        return None
    names = {
        "memecoin": "Memecoins",
        "stablecoin": "Stablecoins",
        "blue_chip": "Big, well-known coins",
        "mid_cap": "Mid-size coins",
        "new_illiquid": "New, thin coins",
    }
    parts = [f"{names.get(kind, kind)}: {pct(share)}" for kind, share in sorted(shares.items())]
    return "By kind, your portfolio is: " + "; ".join(parts) + ". The rest is cash."


def trade_line(trade: TradeOut) -> str:
    symbol = quoted_symbol(trade.symbol)
    when = trade.created_at.strftime("%b %d, %H:%M UTC")
    if trade.side == "buy":
        return f"{when}: you bought {symbol} for {usd(trade.usd_amount)} at {usd(trade.price_usd)} each."
    pnl = "" if trade.realized_pnl_usd is None else f" ({_gain(trade.realized_pnl_usd)})"
    return f"{when}: you sold {symbol} for {usd(trade.usd_amount)}{pnl}."


def _gain(value: Decimal) -> str:
    return f"a gain of {usd(value)}" if value >= 0 else f"a loss of {usd(-value)}"


def cost_note(trade: TradeOut) -> str:
    return (
        f"Every trade costs a little. On your {quoted_symbol(trade.symbol)} trade, the pool fee was "
        f"{usd(trade.pool_fee_usd)}, gas (the network fee) was {usd(trade.gas_usd)}, and your trade "
        f"moved the price by {small_pct(trade.price_impact_pct)} (price impact). That is why you get a bit "
        "less than you put in, and prices move after you buy too. It is not a scam, just the cost of a swap."
    )


def _wants_trades(asked: str) -> bool:
    return bool(
        re.search(
            r"\b(trades?|swaps?|swapped|bought|buy|sold|sell|history|fee|fees|gas|cents?|less|lost|lose|"
            r"missing|where did|went|scam|scammed|cost)\b",
            asked,
            re.IGNORECASE,
        )
    )


# --- web / news -----------------------------------------------------------------------------------
def describe_results(draft: Draft, results: Sequence[WebResult]) -> int:
    """Live web results as a short list of quoted titles; results that try to instruct us are skipped."""
    shown = 0
    lines = []
    skipped = 0
    for result in results:
        if looks_like_instructions(f"{result.title} {result.snippet}"):
            skipped += 1
            continue
        draft.cite(web_source(result))
        lines.append(f'- "{neutralise(result.title, 120)}" — {neutralise(result.snippet, 200)}')
        shown += 1
    if lines:
        draft.add("Here is what recent reports say (from the web, so check the source):\n" + "\n".join(lines))
    if skipped:
        draft.add("I skipped a result that tried to give me orders. Web pages are just data to me.")
    return shown


# --- progress ---------------------------------------------------------------------------------------
def describe_progress(draft: Draft, progress: Progress, lesson: LessonPick | None) -> None:
    if progress.known and progress.lessons_completed is not None:
        done, total = progress.lessons_completed, progress.lessons_total
        line = f"You have finished {done} of {total} lessons."
        if progress.xp:
            line += f" You have {progress.xp} XP."
        if progress.streak_days:
            line += f" Your streak is {progress.streak_days} day{'s' if progress.streak_days != 1 else ''}."
        draft.add(line + (" Nice work!" if done else " A great time to start!"))
        if progress.weak_topics:
            topics = ", ".join(topic.replace("-", " ") for topic in progress.weak_topics[:3])
            draft.add(f"Topics to go over again: {topics}.")
        if progress.reviews_due:
            draft.add(f"You have {progress.reviews_due} review cards waiting.")
    else:
        draft.add(
            f"I can't see your lesson history from here, but there are {progress.lessons_total} lessons "
            "to try."
        )
    draft.cite(progress_source())
    if lesson:
        draft.cite(Source("progress", f"Lesson: {lesson.title}", lesson.id))
        draft.add(
            f'A good next step: the lesson "{lesson.title}" ({lesson.minutes} minutes). {lesson.summary}'
        )


def tools_used(sources: Sequence[Source]) -> list[str]:
    """Which tools the reply's sources came from (for `Done.extra`, like the model engine reports)."""
    used: list[str] = []
    for source in sources:
        if source.kind == "card":
            name = "search_knowledge"
        elif source.kind == "market":
            name = "get_candles" if source.title.endswith("price chart") else "get_token"
        elif source.kind == "portfolio":
            name = "get_recent_trades" if "trades" in source.title else "get_portfolio"
        elif source.kind == "progress":
            name = "suggest_lesson" if source.id else "get_progress"
        else:
            name = "web_search"
        if name not in used:
            used.append(name)
    return used


# --- follow-ups ------------------------------------------------------------------------------------
GENERAL_FOLLOW_UPS = (
    "What is a blockchain?",
    "How do I keep my wallet safe?",
    "What is Base?",
    "What is slippage?",
    "What is a stablecoin?",
)


def follow_ups(kb: KnowledgeBase, cards: Sequence[Card], extra: Sequence[str] = ()) -> tuple[str, str, str]:
    """Three questions to ask next: the used cards' related cards first, then `extra`, then general ones."""
    used = {card.id for card in cards}
    out: list[str] = []
    for card in cards:
        for related in kb.related(card):
            if related.id not in used:
                _add_unique(out, ask_about(related))
    for question in (*extra, *GENERAL_FOLLOW_UPS):
        _add_unique(out, question)
    return out[0], out[1], out[2]


def ask_about(card: Card) -> str:
    """A follow-up question that names the card: "Explain oracles", "Explain DEX vs CEX"."""
    title = card.title.rstrip("?")
    if not any(ch.isupper() for ch in title[1:]):
        title = title[0].lower() + title[1:]
    return f"Explain {title}"


def _add_unique(out: list[str], question: str) -> None:
    if question.lower() not in {existing.lower() for existing in out}:
        out.append(question)
