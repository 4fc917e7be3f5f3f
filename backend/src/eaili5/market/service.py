"""Market service: the token list, prices, candles and source status, from a chain of providers.

Only the instance holding the poller lease calls vendors for prices (see poller.py); every instance
reads the shared tick board in the KV layer. Vendor calls are budgeted per vendor for the whole
deployment, a 429 makes that vendor back off, and when every source fails the last good prices are
served marked `stale` with their `as_of` time.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

import orjson
from pydantic import TypeAdapter

from eaili5.core.errors import BadRequest
from eaili5.core.kv import KV
from eaili5.core.settings import Settings
from eaili5.market.errors import MarketDataUnavailable, NoTradesSource, UnknownToken
from eaili5.market.providers.base import MAX_PRICES_PER_CALL, MarketProvider, address_key
from eaili5.market.risk import RiskThresholds, risk_flags
from eaili5.market.schemas import (
    Candle,
    CandleSeries,
    MarketStatus,
    MarketTrade,
    PoolRef,
    PriceTick,
    RecentTrades,
    SortOrder,
    SourceStatus,
    Timeframe,
    Token,
    TokenDetail,
    TokenList,
    TokenSummary,
)

logger = logging.getLogger(__name__)

TICKS_KEY = "market:ticks"
TRENDING_KEY = "market:trending"
MAX_LIST_LIMIT = 100
# Token list answers kept per board (it changes every tick): sorts x pages x searches people type.
MAX_PAGES_PER_BOARD = 512
# Trades change by the second, but a token page polled by many viewers must not spend the vendor budget.
TRADES_CACHE_SECONDS = 15.0
T = TypeVar("T")


def _now() -> datetime:
    return datetime.now(UTC)


class MarketService:
    def __init__(
        self, settings: Settings, kv: KV, providers: Sequence[MarketProvider], tokens: Sequence[Token]
    ):
        if not providers:
            raise ValueError("at least one market provider is required")
        self.settings, self.kv, self.providers = settings, kv, list(providers)
        self.tokens = {token.address.lower(): token for token in tokens}
        self.symbol_addresses = {token.symbol.upper(): token.address for token in tokens}
        self.thresholds = RiskThresholds.from_settings(settings)
        self._decoded_board: tuple[bytes, dict[str, PriceTick]] | None = None
        self._rows_cache: _Rows | None = None
        self._budgets = {
            "geckoterminal": settings.budget_geckoterminal_per_minute,
            "dexscreener": settings.budget_dexscreener_per_minute,
            "coingecko": settings.budget_coingecko_per_minute,
            "bitquery": settings.budget_bitquery_per_minute,
        }

    @property
    def primary(self) -> MarketProvider:
        return self.providers[0]

    @property
    def is_simulated(self) -> bool:
        return self.primary.name == "simulated"

    # --- the shared tick board ----------------------------------------------------------------
    async def ticks(self) -> dict[str, PriceTick]:
        """Latest tick per token (lowercase address), stale ones marked. Fills the board if empty."""
        rows = await self._rows(await self.kv.get(TICKS_KEY))
        return dict(rows.ticks)

    async def _load_board(self) -> dict[str, PriceTick] | None:
        raw = await self.kv.get(TICKS_KEY)
        return None if raw is None else self._decode_board(raw)

    def _decode_board(self, raw: bytes) -> dict[str, PriceTick]:
        if self._decoded_board is not None and self._decoded_board[0] == raw:
            return self._decoded_board[1]  # the board changes at most once a tick: skip re-validating it
        board = {key: PriceTick.model_validate(value) for key, value in orjson.loads(raw).items()}
        self._decoded_board = (raw, board)
        return board

    async def _store_board(self, board: dict[str, PriceTick]) -> None:
        payload = {key: tick.model_dump(mode="json") for key, tick in board.items()}
        # Kept for a day: after a long outage the last good prices are still there to serve as stale.
        await self.kv.set(TICKS_KEY, orjson.dumps(payload), ttl_seconds=86_400)

    async def refresh_prices(self) -> dict[str, PriceTick]:
        """Ask the sources in order for every token's price; keep the last good tick for the rest."""
        previous = await self._load_board() or {}
        wanted = list(self.tokens)
        fresh: dict[str, PriceTick] = {}
        for provider in self.providers:
            missing = [key for key in wanted if key not in fresh]
            if not missing:
                break
            fresh.update(await self._prices_from(provider, missing))
        board = {key: fresh.get(key) or _as_stale(previous.get(key)) for key in wanted}
        kept = {key: tick for key, tick in board.items() if tick is not None}
        await self._store_board(kept)
        return kept

    async def _prices_from(self, provider: MarketProvider, keys: list[str]) -> dict[str, PriceTick]:
        prices: dict[str, PriceTick] = {}
        for start in range(0, len(keys), MAX_PRICES_PER_CALL):
            batch = keys[start : start + MAX_PRICES_PER_CALL]
            if not await self._may_call(provider):
                break
            try:
                ticks = await provider.get_prices(batch)
            except MarketDataUnavailable as exc:
                await self._record_failure(provider, exc)
                break
            prices.update({address.lower(): tick for address, tick in ticks.items()})
            await self._record_success(provider)
        return prices

    async def refresh_trending(self) -> list[str]:
        """Ask the first source with a view of what trends on Base; keep the last answer otherwise."""
        for provider in self.providers:
            if not provider.has_trending or not await self._may_call(provider):
                continue
            try:
                ranked = await provider.trending()
            except MarketDataUnavailable as exc:
                await self._record_failure(provider, exc)
                continue
            await self._record_success(provider)
            await self.kv.set(TRENDING_KEY, orjson.dumps(ranked), ttl_seconds=86_400)
            return ranked
        return await self._trending()

    async def _trending(self) -> list[str]:
        raw = await self.kv.get(TRENDING_KEY)
        return list(orjson.loads(raw)) if raw else []

    # --- budgets, back-off and status ---------------------------------------------------------
    def _budget(self, provider: MarketProvider) -> str | None:
        per_minute = self._budgets.get(provider.name)
        return None if per_minute is None else f"{per_minute}/minute"

    async def _may_call(self, provider: MarketProvider) -> bool:
        """Spend one call of the vendor's shared budget, unless it is backing off or out of calls."""
        if await self.kv.get(f"market:backoff:{provider.name}") is not None:
            return False
        budget = self._budget(provider)
        if budget is None:
            return True
        result = await self.kv.hit_rate_limit(budget, "vendor", provider.name)
        if not result.allowed:
            await self._note(provider, last_error="out of call budget for this minute")
        return result.allowed

    async def _record_failure(self, provider: MarketProvider, exc: MarketDataUnavailable) -> None:
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            # The vendor said "too many requests": nobody in the deployment calls it until it allows.
            await self.kv.set(f"market:backoff:{provider.name}", b"1", ttl_seconds=float(retry_after))
        logger.warning("market source %s failed: %s", provider.name, exc.detail)
        await self._note(provider, last_error=exc.detail)

    async def _record_success(self, provider: MarketProvider) -> None:
        await self._note(provider, last_success_at=_now().isoformat(), last_error=None)

    async def _note(self, provider: MarketProvider, **changes: str | None) -> None:
        key = f"market:status:{provider.name}"
        raw = await self.kv.get(key)
        state = orjson.loads(raw) if raw else {}
        state.update(changes)
        await self.kv.set(key, orjson.dumps(state))

    async def status(self) -> MarketStatus:
        sources = [await self._source_status(provider) for provider in self.providers]
        board = await self._load_board() or {}
        latest = max(board.values(), key=lambda tick: tick.as_of, default=None)
        poller = await self.kv.get("market:poller")
        return MarketStatus(
            active_source=latest.source if latest else None,
            poller_instance=poller.decode() if poller else None,
            sources=sources,
        )

    async def _source_status(self, provider: MarketProvider) -> SourceStatus:
        raw = await self.kv.get(f"market:status:{provider.name}")
        state = orjson.loads(raw) if raw else {}
        budget = self._budget(provider)
        remaining = None
        if budget is not None:
            remaining = await self.kv.rate_limit_remaining(budget, "vendor", provider.name)
        return SourceStatus(
            name=provider.name,
            last_success_at=state.get("last_success_at"),
            last_error=state.get("last_error"),
            backing_off=await self.kv.get(f"market:backoff:{provider.name}") is not None,
            budget_per_minute=self._budgets.get(provider.name),
            budget_remaining=remaining,
        )

    # --- token list and detail ----------------------------------------------------------------
    def token(self, address: str) -> Token:
        token = self.tokens.get(address_key(address))
        if token is None:
            raise UnknownToken(address)
        return token

    async def list_tokens(
        self, sort: SortOrder, query: str | None, limit: int, cursor: str | None
    ) -> TokenList:
        offset = decode_cursor(cursor)
        raw_board, raw_trending = await self.kv.get_many(TICKS_KEY, TRENDING_KEY)
        rows = await self._rows(raw_board)
        trending = tuple(orjson.loads(raw_trending)) if raw_trending else ()
        ordered = filter_rows(rows.sorted(sort, trending), query)
        page = ordered[offset : offset + limit]
        more = offset + limit < len(ordered)
        return TokenList(
            items=page,
            next_cursor=encode_cursor(offset + limit) if more else None,
            source=self.primary.name,
            as_of=rows.newest,
            stale=any(row.stale for row in page),
        )

    async def list_tokens_json(
        self, sort: SortOrder, query: str | None, limit: int, cursor: str | None
    ) -> bytes:
        """`list_tokens` as the JSON document the API answers. A page is a function of the board, so it
        is written once per (board, sort, query, page) and shared until the board changes."""
        offset = decode_cursor(cursor)
        raw_board, raw_trending = await self.kv.get_many(TICKS_KEY, TRENDING_KEY)
        rows = await self._rows(raw_board)
        trending = tuple(orjson.loads(raw_trending)) if raw_trending else ()
        key = (sort, trending if sort is SortOrder.TRENDING else (), query, offset, limit)
        written = rows.pages.get(key)
        if written is None:
            ordered = filter_rows(rows.sorted(sort, trending), query)
            page = ordered[offset : offset + limit]
            more = offset + limit < len(ordered)
            head = TokenList(
                items=[],
                next_cursor=encode_cursor(offset + limit) if more else None,
                source=self.primary.name,
                as_of=rows.newest,
                stale=any(row.stale for row in page),
            )
            items = b"[" + b",".join(rows.summary_json(row) for row in page) + b"]"
            written = _with_list(_TOKEN_LIST.dump_json(head), b"items", items)
            if len(rows.pages) < MAX_PAGES_PER_BOARD:  # queries are free text: keep the memory bounded
                rows.pages[key] = written
        return written

    async def token_detail(self, address: str) -> TokenDetail:
        token = self.token(address)
        rows = await self._rows(await self.kv.get(TICKS_KEY))
        return rows.detail(token)

    async def token_detail_json(self, address: str) -> bytes:
        """`token_detail` as the JSON document the API answers, written once per board."""
        token = self.token(address)
        rows = await self._rows(await self.kv.get(TICKS_KEY))
        return rows.detail_json(token)

    async def _rows(self, raw_board: bytes | None) -> _Rows:
        """Every token's list row for this board. The board changes once a tick while the list is read
        many times a second: rows are built once per (board, day, set of stale ticks) and reused."""
        board = self._decode_board(raw_board) if raw_board is not None else await self.refresh_prices()
        now = _now()
        stale_after = timedelta(seconds=self.settings.market_stale_after_seconds)
        too_old = frozenset(
            key for key, tick in board.items() if not tick.stale and now - tick.as_of > stale_after
        )
        cached = self._rows_cache
        if cached is not None and cached.matches(board, now.date(), too_old):
            return cached
        ticks = {
            key: tick.model_copy(update={"stale": True}) if key in too_old else tick
            for key, tick in board.items()
        }
        today = now.date()
        summaries = {key: self._summary(token, ticks.get(key), today) for key, token in self.tokens.items()}
        rows = _Rows(board, today, too_old, ticks, summaries)
        self._rows_cache = rows
        return rows

    def _summary(self, token: Token, tick: PriceTick | None, today: date) -> TokenSummary:
        pool = token.main_pool
        return TokenSummary(
            address=token.address,
            symbol=token.symbol,
            name=token.name,
            decimals=token.decimals,
            volatility_class=token.volatility_class,
            price_usd=tick.price_usd if tick else None,
            change_1h_pct=tick.change_1h_pct if tick else None,
            change_24h_pct=tick.change_24h_pct if tick else None,
            volume_24h_usd=tick.volume_24h_usd if tick else None,
            liquidity_usd=tick.liquidity_usd if tick else None,
            fdv_usd=tick.fdv_usd if tick else None,
            market_cap_usd=tick.market_cap_usd if tick else None,
            transactions_24h=tick.transactions_24h if tick else None,
            main_pool=PoolRef(address=pool.address, dex=pool.dex, fee_tier_bps=pool.fee_tier_bps),
            pool_created_at=pool.created_at,
            pool_age_days=max(0, (today - pool.created_at).days),
            risk_flags=risk_flags(token, tick, today, self.thresholds),
            source=tick.source if tick else None,
            as_of=tick.as_of if tick else None,
            stale=tick is None or tick.stale,
        )

    # --- candles ------------------------------------------------------------------------------
    async def candles(
        self, address: str, timeframe: Timeframe, limit: int, before: int | None
    ) -> CandleSeries:
        token = self.token(address)
        source, candles = await self._candles_from_first_source(
            lambda provider: self._candles_from(provider, token, timeframe, limit, before)
        )
        return CandleSeries(
            address=token.address, timeframe=timeframe, source=source, as_of=_now(), candles=candles
        )

    async def candles_json(self, address: str, timeframe: Timeframe, limit: int, before: int | None) -> bytes:
        """`candles()` as the JSON document the API answers, without a model per bar: a 200-bar chart is
        1,000 decimals to write, and closed bars never change. The simulated market formats each closed
        bar once; a vendor's candles are served as stored in the KV cache (written from the same models)."""
        token = self.token(address)
        source, candles = await self._candles_from_first_source(
            lambda provider: self._candles_json_from(provider, token, timeframe, limit, before)
        )
        head = CandleSeries(
            address=token.address, timeframe=timeframe, source=source, as_of=_now(), candles=[]
        )
        return _with_list(_CANDLE_SERIES.dump_json(head), b"candles", candles)

    async def _candles_from_first_source(
        self, fetch: Callable[[MarketProvider], Awaitable[T]]
    ) -> tuple[str, T]:
        """The chart from the first source in the chain that gives one, with that source's name."""
        errors = []
        for provider in self.providers:
            try:
                return provider.name, await fetch(provider)
            except MarketDataUnavailable as exc:
                errors.append(exc.detail)
        raise MarketDataUnavailable("No source could give candles right now. " + " ".join(errors))

    async def _candles_from(
        self, provider: MarketProvider, token: Token, timeframe: Timeframe, limit: int, before: int | None
    ) -> list[Candle]:
        if provider.name == "simulated":  # computed locally and deterministically: nothing to cache
            return await provider.get_candles(token.address, timeframe, limit, before)
        raw = await self._vendor_candles(provider, token, timeframe, limit, before)
        return [Candle.model_validate(row) for row in orjson.loads(raw)]

    async def _candles_json_from(
        self, provider: MarketProvider, token: Token, timeframe: Timeframe, limit: int, before: int | None
    ) -> bytes:
        if provider.name == "simulated":
            return await provider.get_candles_json(token.address, timeframe, limit, before)
        return await self._vendor_candles(provider, token, timeframe, limit, before)

    async def _vendor_candles(
        self, provider: MarketProvider, token: Token, timeframe: Timeframe, limit: int, before: int | None
    ) -> bytes:
        """A vendor's candles as a JSON array of `Candle.model_dump(mode="json")`, cached in the KV layer so
        the deployment asks the vendor once per chart and period."""
        key = f"market:candles:{provider.name}:{token.address.lower()}:{timeframe.value}:{limit}:{before}"

        async def fetch() -> bytes:
            fetched = await self._budgeted_call(
                provider, lambda: provider.get_candles(token.address, timeframe, limit, before)
            )
            return orjson.dumps([candle.model_dump(mode="json") for candle in fetched])

        ttl = min(max(timeframe.seconds / 4, 15.0), 300.0)
        return await self.kv.get_or_compute(key, ttl, fetch)

    # --- recent trades --------------------------------------------------------------------------
    async def recent_trades(self, address: str, limit: int) -> RecentTrades:
        """Newest swaps from the first source in the chain that has trades (simulated or Bitquery)."""
        token = self.token(address)
        sources = [provider for provider in self.providers if provider.has_trades]
        if not sources:
            raise NoTradesSource(
                "None of the configured market sources lists trades (Bitquery needs BITQUERY_API_KEY)."
            )
        errors = []
        for provider in sources:
            try:
                trades = await self._trades_from(provider, token, limit)
            except MarketDataUnavailable as exc:
                errors.append(exc.detail)
                continue
            return RecentTrades(address=token.address, source=provider.name, as_of=_now(), trades=trades)
        raise MarketDataUnavailable("No source could give recent trades right now. " + " ".join(errors))

    async def _trades_from(self, provider: MarketProvider, token: Token, limit: int) -> list[MarketTrade]:
        if provider.name == "simulated":
            return await provider.get_recent_trades(token.address, limit)
        key = f"market:trades:{provider.name}:{token.address.lower()}:{limit}"

        async def fetch() -> bytes:
            trades = await self._budgeted_call(
                provider, lambda: provider.get_recent_trades(token.address, limit)
            )
            return orjson.dumps([trade.model_dump(mode="json") for trade in trades])

        raw = await self.kv.get_or_compute(key, TRADES_CACHE_SECONDS, fetch)
        return [MarketTrade.model_validate(row) for row in orjson.loads(raw)]

    async def _budgeted_call(self, provider: MarketProvider, call: Callable[[], Awaitable[T]]) -> T:
        """One vendor call within its budget, recording success or failure for back-off and status."""
        if not await self._may_call(provider):
            raise MarketDataUnavailable(f"{provider.name} is out of budget or backing off")
        try:
            result = await call()
        except MarketDataUnavailable as exc:
            await self._record_failure(provider, exc)
            raise
        await self._record_success(provider)
        return result

    # --- for trading ----------------------------------------------------------------------------
    async def fresh_tick(self, address: str) -> PriceTick:
        """The token's latest tick, or MarketDataUnavailable when none is fresh enough to trade on."""
        token = self.token(address)
        rows = await self._rows(await self.kv.get(TICKS_KEY))
        tick = rows.ticks.get(token.address.lower())
        if tick is None or tick.stale:
            raise MarketDataUnavailable(f"There is no fresh price for {token.symbol} right now.")
        return tick


class _Rows:
    """The ticks and token list rows of one decoded board, with its sort orders and detail pages made on
    first use. Shared by concurrent requests: nothing here is changed once made."""

    def __init__(
        self,
        board: dict[str, PriceTick],
        today: date,
        too_old: frozenset[str],
        ticks: dict[str, PriceTick],
        summaries: dict[str, TokenSummary],
    ) -> None:
        self._board, self._today, self._too_old = board, today, too_old
        self.ticks, self.summaries = ticks, summaries  # ticks: the board with old ticks marked stale
        self.newest = max((tick.as_of for tick in ticks.values()), default=None)
        self._sorted: dict[tuple[SortOrder, tuple[str, ...]], list[TokenSummary]] = {}
        self._details: dict[str, TokenDetail] = {}
        self._details_json: dict[str, bytes] = {}
        self._summaries_json: dict[str, bytes] = {}
        self.pages: dict[tuple[object, ...], bytes] = {}  # token list answers, see list_tokens_json

    def matches(self, board: dict[str, PriceTick], today: date, too_old: frozenset[str]) -> bool:
        # Identity, not equality: the decoded board is a new object whenever the stored board changes.
        return self._board is board and self._today == today and self._too_old == too_old

    def sorted(self, order: SortOrder, trending: tuple[str, ...]) -> list[TokenSummary]:
        key = (order, trending if order is SortOrder.TRENDING else ())
        rows = self._sorted.get(key)
        if rows is None:
            rows = self._sorted[key] = sort_rows(list(self.summaries.values()), order, trending)
        return rows

    def summary_json(self, row: TokenSummary) -> bytes:
        key = row.address.lower()
        written = self._summaries_json.get(key)
        if written is None:
            written = self._summaries_json[key] = _TOKEN_SUMMARY.dump_json(row)
        return written

    def detail_json(self, token: Token) -> bytes:
        key = token.address.lower()
        written = self._details_json.get(key)
        if written is None:
            written = self._details_json[key] = _TOKEN_DETAIL.dump_json(self.detail(token))
        return written

    def detail(self, token: Token) -> TokenDetail:
        key = token.address.lower()
        detail = self._details.get(key)
        if detail is None:
            detail = self._details[key] = TokenDetail(
                **self.summaries[key].model_dump(),
                category=token.category,
                note=token.note,
                sources=token.sources,
                price_is_placeholder=token.price_is_placeholder,
                stats_are_placeholders=token.main_pool.stats_are_placeholders,
            )
        return detail


_CANDLE_SERIES = TypeAdapter(CandleSeries)
_TOKEN_LIST = TypeAdapter(TokenList)
_TOKEN_SUMMARY = TypeAdapter(TokenSummary)
_TOKEN_DETAIL = TypeAdapter(TokenDetail)


def _with_list(document: bytes, field: bytes, items: bytes) -> bytes:
    """`document` (compact JSON whose `field` is an empty list) with that list replaced by `items`, the
    JSON array of its elements: how a shared, pre-serialised part is put into a fresh answer."""
    empty = b'"' + field + b'":[]'
    at = document.index(empty) + len(field) + 3
    return document[:at] + items + document[at + 2 :]


def _as_stale(tick: PriceTick | None) -> PriceTick | None:
    return None if tick is None else tick.model_copy(update={"stale": True})


# --- list helpers (pure) ------------------------------------------------------------------------
def filter_rows(rows: list[TokenSummary], query: str | None) -> list[TokenSummary]:
    if not query:
        return rows
    needle = query.strip().lower()
    return [
        row
        for row in rows
        if needle in row.symbol.lower()
        or needle in row.name.lower()
        or row.address.lower().startswith(needle)
    ]


def _number(value: Decimal | None) -> Decimal:
    return value if value is not None else Decimal("-Infinity")


def _turnover(row: TokenSummary) -> Decimal:
    # "Trending" = traded most for its size: 24h volume relative to pool liquidity.
    if not row.volume_24h_usd or not row.liquidity_usd:
        return Decimal("-Infinity")
    return row.volume_24h_usd / row.liquidity_usd


def sort_rows(rows: list[TokenSummary], order: SortOrder, trending: Sequence[str] = ()) -> list[TokenSummary]:
    """Sort a page of rows. "Trending" puts the vendor's trending tokens first, in its order."""
    if order is SortOrder.TRENDING and trending:
        rank = {address: position for position, address in enumerate(trending)}
        rest = _sort_by(rows, order)
        return sorted(rest, key=lambda row: rank.get(row.address.lower(), len(rank)))
    return _sort_by(rows, order)


def _sort_by(rows: list[TokenSummary], order: SortOrder) -> list[TokenSummary]:
    keys = {
        SortOrder.TRENDING: _turnover,
        SortOrder.VOLUME: lambda row: _number(row.volume_24h_usd),
        SortOrder.LIQUIDITY: lambda row: _number(row.liquidity_usd),
        SortOrder.GAINERS: lambda row: _number(row.change_24h_pct),
        SortOrder.LOSERS: lambda row: (
            -_number(row.change_24h_pct) if row.change_24h_pct is not None else _number(None)
        ),
        SortOrder.NEW: lambda row: Decimal(row.pool_created_at.toordinal()),
    }
    by_symbol = sorted(rows, key=lambda row: row.symbol)  # stable tie-break: alphabetical
    return sorted(by_symbol, key=keys[order], reverse=True)


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        offset = int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest("This cursor is not valid: use the next_cursor from the previous page.") from None
    if kind != "o" or offset < 0:
        raise BadRequest("This cursor is not valid: use the next_cursor from the previous page.")
    return offset
