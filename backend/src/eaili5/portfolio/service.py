"""Play-money trading: quotes, idempotent market orders, the portfolio view, history and reset.

Accounting (average cost; fees and gas are part of what a trade costs or yields):
- buy:  cash -= paid;  holding.amount += tokens;  holding.basis += paid
- sell: cash += received;  removed = basis * sold / held;  holding.basis -= removed;
        realized P&L = received - removed
So, for every run and at every commit, exactly:  cash + sum(holding basis) = 100 + sum(realized P&L).

Concurrency: an order first takes the portfolio's write lock (an UPDATE of its row that returns the
cash: a row lock on PostgreSQL, the database write lock on SQLite), then reads the holdings, and writes
them back with compare-and-swap UPDATEs whose row counts are checked; the CHECK constraints are the last
line. The trade row is inserted before the holding and cash change, with ON CONFLICT DO NOTHING on the
(user, Idempotency-Key) constraint: when a concurrent retry with the same key filled first, nothing of
this order has been written and the original trade is returned instead. Any refusal raises and the
request's transaction rolls the order back whole. The lock is taken by the order's first statement,
which also reads the cash and how its Idempotency-Key was used. A market order costs 6 SQL
statements on PostgreSQL (7 on SQLite, where the equity snapshot and its fold into the run's running
figures are two), plus BEGIN and COMMIT; the portfolio view 1 (tests/portfolio/test_statement_counts.py
keeps it that way); both run Core statements built once (repository.py), not the ORM.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.core.db import Database
from eaili5.core.errors import BadRequest
from eaili5.core.settings import Settings
from eaili5.market.errors import MarketDataUnavailable
from eaili5.market.risk import risk_flags
from eaili5.market.schemas import PriceTick, RiskFlagOut, Token
from eaili5.market.service import MarketService
from eaili5.models import Portfolio, Trade
from eaili5.models.portfolio import STARTING_BALANCE_USD
from eaili5.portfolio import equity, orders_repository, repository
from eaili5.portfolio.errors import (
    IdempotencyKeyReused,
    InsufficientCash,
    InsufficientTokens,
    InvalidAmount,
    NoLiquidity,
    PortfolioChanged,
    PriceMoved,
    StalePrice,
    TradeTooSmall,
)
from eaili5.portfolio.explanations import HIGH_IMPACT_PCT, explanations, high_impact_warning
from eaili5.portfolio.pricing import (
    USD_SCALE,
    Costs,
    Fill,
    PoolState,
    PricingError,
    basis_removed,
    even,
    has_too_many_decimals,
    quote_buy,
    quote_sell,
    share_of_holding,
)
from eaili5.portfolio.schemas import (
    Amount,
    EquityOut,
    EquityPoint,
    EquityRange,
    HoldingOut,
    OrderIn,
    PortfolioOut,
    QuoteOut,
    TradeOut,
    TradePage,
    TradeRequest,
)

PERCENT_SCALE = Decimal("0.0001")
EQUITY_RANGES = {"1d": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}
MAX_EQUITY_POINTS = 2000  # hourly for 30 days is 720; trades add the rest


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Priced:
    token: Token
    tick: PriceTick
    pool: PoolState
    # The whole price board `tick` came from, when at hand: the order's equity snapshot values the
    # other holdings from it instead of reading the board again.
    board: dict[str, PriceTick] | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return self.token.address.lower()


class PortfolioService:
    def __init__(self, market: MarketService, settings: Settings) -> None:
        self.market, self.settings = market, settings
        self.costs = Costs(
            gas_usd=settings.portfolio_gas_usd,
            slippage_bps=settings.portfolio_slippage_bps,
            min_trade_usd=settings.portfolio_min_trade_usd,
        )

    # --- the current run ------------------------------------------------------------------------
    async def current(self, db: AsyncSession, user_id: uuid.UUID) -> Portfolio:
        """The user's current portfolio, created with $100 on first use."""
        portfolio = await repository.current_portfolio(db, user_id)
        if portfolio is not None:
            return portfolio
        # Run 1, written without reading first: a reset archives and creates in one transaction, so a
        # user without a current portfolio has none at all. (On SQLite a read before the first write
        # would pin a snapshot and fail with "database is locked" when another writer got in first.)
        try:
            async with db.begin_nested():
                return await repository.create_portfolio(db, user_id, 1)
        except IntegrityError:  # another request created it first
            portfolio = await repository.current_portfolio(db, user_id)
            if portfolio is None:
                raise
            return portfolio

    # --- prices -----------------------------------------------------------------------------------
    async def priced(self, address: str) -> Priced:
        token = self.market.token(address)  # InvalidAddress (400) or UnknownToken (404)
        try:
            board = await self.market.ticks()  # one read of the board serves the fill and the snapshot
        except MarketDataUnavailable:
            raise StalePrice(token.symbol) from None
        tick = board.get(token.address.lower())
        if tick is None or tick.stale:  # as MarketService.fresh_tick
            raise StalePrice(token.symbol)
        return self.priced_at(token, tick, board)

    def priced_at(self, token: Token, tick: PriceTick, board: dict[str, PriceTick] | None = None) -> Priced:
        """The pool state for a fill at `tick`; StalePrice when the tick is too old to trade on."""
        if tick.stale or _now() - tick.as_of > timedelta(
            seconds=self.settings.portfolio_max_price_age_seconds
        ):
            raise StalePrice(token.symbol)
        liquidity = tick.liquidity_usd or token.main_pool.liquidity_usd
        pool = PoolState(tick.price_usd, liquidity, token.main_pool.fee_tier_bps, token.decimals)
        return Priced(token, tick, pool, board)

    def _fill(self, request: TradeRequest, priced: Priced, held: Decimal) -> Fill:
        try:
            if request.side == "buy":
                assert request.usd_amount is not None
                return quote_buy(request.usd_amount, priced.pool, self.costs)
            return quote_sell(self.sell_amount(request, priced.token, held), priced.pool, self.costs)
        except PricingError as exc:
            if exc.code == "no_liquidity":
                raise NoLiquidity(str(exc)) from None
            raise TradeTooSmall(str(exc)) from None

    def sell_amount(self, request: TradeRequest, token: Token, held: Decimal) -> Decimal:
        if request.percent is not None:
            wanted = share_of_holding(held, request.percent, token.decimals)
            if held <= 0:
                raise InsufficientTokens(token.symbol, held, wanted)
            return wanted
        assert request.token_amount is not None
        if has_too_many_decimals(request.token_amount, token.decimals):
            raise InvalidAmount(
                f"{token.symbol} has {token.decimals} decimals: send at most {token.decimals} digits "
                "after the point."
            )
        if request.token_amount > held:
            raise InsufficientTokens(token.symbol, held, request.token_amount)
        return request.token_amount

    def _warnings(self, priced: Priced, fill: Fill) -> list[RiskFlagOut]:
        warnings = []
        if fill.price_impact_pct > HIGH_IMPACT_PCT:
            warnings.append(high_impact_warning(fill.price_impact_pct))
        return warnings + risk_flags(priced.token, priced.tick, _now().date(), self.market.thresholds)

    # --- quote ------------------------------------------------------------------------------------
    async def quote(self, db: AsyncSession, user_id: uuid.UUID, request: TradeRequest) -> QuoteOut:
        priced = await self.priced(request.token)
        held = Decimal(0)
        if request.side == "sell":
            portfolio = await self.current(db, user_id)
            holding = await repository.find_holding(db, portfolio.id, priced.key)
            held = holding.amount if holding else Decimal(0)
        fill = self._fill(request, priced, held)
        usd, tokens = (
            Amount(amount=fill.usd_amount, unit="USD"),
            Amount(amount=fill.token_amount, unit=priced.token.symbol),
        )
        minimum = Amount(amount=fill.minimum_received, unit=tokens.unit if fill.side == "buy" else "USD")
        return QuoteOut(
            side=fill.side,
            token=priced.token.address,
            symbol=priced.token.symbol,
            decimals=priced.token.decimals,
            you_pay=usd if fill.side == "buy" else tokens,
            you_get=tokens if fill.side == "buy" else usd,
            minimum_received=minimum,
            price_usd=fill.price_usd,
            fill_price=fill.fill_price,
            pool_fee_usd=fill.pool_fee_usd,
            pool_fee_bps=priced.pool.fee_tier_bps,
            price_impact_pct=fill.price_impact_pct,
            price_impact_usd=fill.price_impact_usd,
            gas_usd=fill.gas_usd,
            slippage_bps=self.costs.slippage_bps,
            explanations=explanations(fill.side),
            warnings=self._warnings(priced, fill),
            price_source=priced.tick.source,
            as_of=priced.tick.as_of,
        )

    # --- orders -----------------------------------------------------------------------------------
    async def place_order(
        self, db: AsyncSession, user_id: uuid.UUID, order: OrderIn, key: str
    ) -> PlacedOrder:
        """Fill a market order once per Idempotency-Key.

        The price is read before the lock (keep the lock short), but a failure to price (unknown token,
        stale price, cache outage) is raised only after the key checks, so a retry still gets its
        original answer, as when the key was checked first."""
        fingerprint = hashlib.sha256(order.model_dump_json().encode()).hexdigest()
        priced: Priced | None = None
        refusal: Exception | None = None
        try:
            priced = await self.priced(order.token)
        except Exception as exc:  # raised below, unchanged, unless this is a retry
            refusal = exc
        locked = await repository.lock_run_with_key(db, user_id, key)
        if locked is not None:
            portfolio_id, cash = locked.id, locked.cash
            existing_id, key_used_by_order = locked.trade_id, locked.key_used_by_order
        else:  # first use (or a reset got in first): the portfolio is created or found, locked later
            portfolio_id, existing_id, key_used_by_order = await self._current_and_key(db, user_id, key)
            cash = None
        if existing_id is not None:
            return PlacedOrder(await self._replay_stored(db, user_id, key, fingerprint), True)
        if key_used_by_order:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was already used for a different order. Use a new key for a new order."
            )
        if refusal is not None:
            raise refusal
        assert priced is not None
        try:
            trade = await self.execute(
                db, user_id, portfolio_id, order, priced, key, fingerprint, order.min_amount_out, cash
            )
        except DuplicateKey:  # a concurrent retry with this key filled first: nothing was written here
            return PlacedOrder(await self._replay_stored(db, user_id, key, fingerprint), True)
        return PlacedOrder(trade_out(trade), False, priced.tick)

    async def _current_and_key(
        self, db: AsyncSession, user_id: uuid.UUID, key: str
    ) -> tuple[uuid.UUID, uuid.UUID | None, bool]:
        """The current run's id and how `key` was used before, in one query on the usual path."""
        found = await repository.current_run_with_key(db, user_id, key)
        if found is not None:
            run, trade_id, used = found
            return run.id, trade_id, used
        portfolio = await self.current(db, user_id)  # first use: created now
        existing = await repository.find_trade(db, user_id, key)
        used = await orders_repository.by_key(db, user_id, key) is not None
        return portfolio.id, existing.id if existing else None, used

    async def _replay_stored(
        self, db: AsyncSession, user_id: uuid.UUID, key: str, fingerprint: str
    ) -> TradeOut:
        """A retry's answer: the trade this key filled. A retry changes nothing, so the transaction is rolled
        back: the lock's touch of the run's `updated_at` is undone and the lock is let go at once."""
        existing = await repository.find_trade(db, user_id, key)
        if existing is None:  # only a trade's insert reports the key as taken, and trades are never deleted
            raise DuplicateKey(key)
        answer = self._replay(existing, fingerprint)  # read before the rollback expires the row
        await db.rollback()
        return answer

    def _replay(self, trade: Trade, fingerprint: str) -> TradeOut:
        if trade.request_hash != fingerprint:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was already used for a different order. Use a new key for a new order."
            )
        return trade_out(trade)

    async def execute(
        self,
        db: AsyncSession,
        user_id: uuid.UUID,
        portfolio_id: uuid.UUID,
        order: TradeRequest,
        priced: Priced,
        key: str,
        fingerprint: str,
        min_amount_out: Decimal | None = None,
        locked_cash: Decimal | None = None,
    ) -> Row[Any]:
        """Fill `order` at `priced` (also used for triggered limit/stop orders), then snapshot equity.

        Round trips: lock + cash (unless the caller holds the lock: `locked_cash`), all holdings, then
        the writes: on PostgreSQL the trade, the holding, the cash and the snapshot in one statement
        (`repository.write_fill_postgresql`), on SQLite one statement each, the trade first. Either way
        a duplicate Idempotency-Key (`DuplicateKey`) writes nothing, so no SAVEPOINT is needed around
        it. Any other refusal raises, and the caller's transaction rolls the order back whole."""
        cash = (
            locked_cash if locked_cash is not None else await repository.lock_and_read_cash(db, portfolio_id)
        )
        if cash is None:
            raise PortfolioChanged("Your portfolio was just reset. Check it and try again.")
        held = await repository.holdings(db, portfolio_id)
        holding = next((row for row in held if row.token == priced.key), None)
        fill = self._fill(order, priced, holding.amount if holding else Decimal(0))
        _check_minimum(min_amount_out, fill, priced.token.symbol)
        if fill.side == "buy":
            basis, realized, new_cash = fill.usd_amount, None, cash - fill.usd_amount
            if new_cash < 0:
                raise InsufficientCash(cash, fill.usd_amount)
            held_before = (holding.amount, holding.cost_basis_usd) if holding else (Decimal(0), Decimal(0))
            amount_after, basis_after = held_before[0] + fill.token_amount, held_before[1] + basis
        else:
            assert holding is not None  # _fill refused selling what is not held
            basis = basis_removed(holding.amount, holding.cost_basis_usd, fill.token_amount)
            realized, new_cash = fill.usd_amount - basis, cash + fill.usd_amount
            amount_after, basis_after = holding.amount - fill.token_amount, holding.cost_basis_usd - basis
        trade_values = {
            "user_id": user_id,
            "portfolio_id": portfolio_id,
            "idempotency_key": key,
            "request_hash": fingerprint,
            "side": fill.side,
            "token": priced.key,
            "symbol": priced.token.symbol,
            "token_amount": fill.token_amount,
            "usd_amount": fill.usd_amount,
            "price_usd": fill.price_usd,
            "fill_price": fill.fill_price,
            "pool_fee_usd": fill.pool_fee_usd,
            "price_impact_pct": fill.price_impact_pct,
            "gas_usd": fill.gas_usd,
            "cost_basis_usd": basis,
            "realized_pnl_usd": realized,
            "price_source": priced.tick.source,
            "price_as_of": priced.tick.as_of,
        }
        # Valued from what was read under the lock plus this fill: no second read of the holdings.
        amounts = {row.token: row.amount for row in held}
        amounts[priced.key] = amount_after
        board = priced.board if priced.board is not None else await self.market.ticks()
        value = equity.Valuation(new_cash, equity.value_amounts(amounts, board))
        holding_after = (amount_after, basis_after)
        if (await db.connection()).dialect.name == "postgresql":
            snapshot = equity.snapshot_params(portfolio_id, value, "trade", _now(), realized)
            return await _write_in_one_statement(
                db, trade_values, holding, holding_after, (cash, new_cash), snapshot
            )
        return await _write_one_at_a_time(db, trade_values, holding, holding_after, (cash, new_cash), value)

    # --- reading ----------------------------------------------------------------------------------
    async def read(self, database: Database, user_id: uuid.UUID) -> PortfolioOut:
        """GET /api/portfolio: one statement in autocommit (consistent by itself, so no BEGIN and
        COMMIT round trips); a user without a portfolio yet gets one in a transaction, as `view`."""
        async with database.engine.connect() as conn:
            autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
            state = await repository.portfolio_state(autocommit, user_id)
        if state is not None and not state.stale:
            return await self._view(state)
        async with database.transaction() as db:
            return await self.view(db, user_id)

    async def view(self, db: AsyncSession, user_id: uuid.UUID) -> PortfolioOut:
        """The portfolio as `db`'s transaction sees it (created with $100 on first use; its running
        figures folded again first if a snapshot was written without folding, as by an instance still
        on the previous release during a deploy)."""
        state = await repository.portfolio_state(await db.connection(), user_id)
        if state is None:
            await self.current(db, user_id)  # first use: created now
        elif state.stale:
            await equity.refold(db, state.run.id)
        else:
            return await self._view(state)
        state = await repository.portfolio_state(await db.connection(), user_id)
        assert state is not None
        return await self._view(state)

    async def _view(self, state: repository.PortfolioState) -> PortfolioOut:
        portfolio = state.run
        ticks = await self.market.ticks()
        rows = [h for h in state.holdings if h.amount > 0]
        valued = [self._value(holding, ticks.get(holding.token)) for holding in rows]
        holdings_value = sum((row.value_usd or Decimal(0) for row in valued), Decimal(0))
        total = portfolio.balance + holdings_value
        basis = sum((row.cost_basis_usd for row in valued), Decimal(0))
        priced_basis = sum((row.cost_basis_usd for row in valued if row.value_usd is not None), Decimal(0))
        for row in valued:
            if row.value_usd is not None and total > 0:
                row.share_pct = even(row.value_usd / total * 100, PERCENT_SCALE)
        # = equity.max_drawdown_pct([STARTING_BALANCE_USD, *the run's snapshot values, total])
        drawdown = state.running.max_drawdown_pct(total)
        return PortfolioOut(
            run=portfolio.run,
            started_at=portfolio.created_at,
            starting_cash_usd=STARTING_BALANCE_USD,
            cash_usd=even(portfolio.balance, USD_SCALE),
            holdings=valued,
            holdings_value_usd=even(holdings_value, USD_SCALE),
            cost_basis_usd=basis,
            total_value_usd=even(total, USD_SCALE),
            total_return_pct=even((total - STARTING_BALANCE_USD) / STARTING_BALANCE_USD * 100, PERCENT_SCALE),
            unrealized_pnl_usd=even(holdings_value - priced_basis, USD_SCALE),
            realized_pnl_usd=state.running.realized_pnl_usd,
            max_drawdown_pct=drawdown,
            as_of=_now(),
        )

    def _value(self, holding: repository.HoldingRow, tick: PriceTick | None) -> HoldingOut:
        token = self.market.token(holding.token)
        average = even(holding.cost_basis_usd / holding.amount, Decimal("1E-18"))
        value = even(holding.amount * tick.price_usd, USD_SCALE) if tick else None
        pnl = value - holding.cost_basis_usd if value is not None else None
        pnl_pct = (
            even(pnl / holding.cost_basis_usd * 100, PERCENT_SCALE)
            if pnl is not None and holding.cost_basis_usd > 0
            else None
        )
        return HoldingOut(
            token=token.address,
            symbol=token.symbol,
            decimals=token.decimals,
            amount=holding.amount,
            cost_basis_usd=holding.cost_basis_usd,
            average_cost_usd=average,
            price_usd=tick.price_usd if tick else None,
            value_usd=value,
            unrealized_pnl_usd=pnl,
            unrealized_pnl_pct=pnl_pct,
            share_pct=None,
            price_as_of=tick.as_of if tick else None,
            stale=tick is None or tick.stale,
        )

    async def equity(self, db: AsyncSession, user_id: uuid.UUID, range_: EquityRange) -> EquityOut:
        """The run's value over `range_`: its start ($100), stored snapshots, and the live value now."""
        portfolio = await self.current(db, user_id)
        now = _now()
        since = now - EQUITY_RANGES[range_] if range_ in EQUITY_RANGES else None
        rows = await equity.snapshots(db, [portfolio.id], since)
        value = await equity.valuation(db, portfolio.id, portfolio.balance, await self.market.ticks())
        points = []
        if since is None or portfolio.created_at >= since:
            start = STARTING_BALANCE_USD
            points.append(
                EquityPoint(t=portfolio.created_at, total_value_usd=start, cash_usd=start, kind="start")
            )
        points += [
            EquityPoint(
                t=row.taken_at,
                total_value_usd=row.total_value_usd,
                cash_usd=row.cash_usd,
                kind="trade" if row.reason == "trade" else "periodic",
            )
            for row in rows[-MAX_EQUITY_POINTS:]
        ]
        points.append(
            EquityPoint(
                t=now,
                total_value_usd=even(value.total, USD_SCALE),
                cash_usd=even(value.cash, USD_SCALE),
                kind="now",
            )
        )
        return EquityOut(
            range=range_,
            run=portfolio.run,
            points=points,
            max_drawdown_pct=equity.max_drawdown_pct(point.total_value_usd for point in points),
            as_of=now,
        )

    async def trades(self, db: AsyncSession, user_id: uuid.UUID, cursor: str | None, limit: int) -> TradePage:
        portfolio = await self.current(db, user_id)
        rows = await repository.trades_page(db, portfolio.id, decode_cursor(cursor), limit + 1)
        page = rows[:limit]
        more = len(rows) > limit
        return TradePage(
            items=[trade_out(trade) for trade in page],
            next_cursor=encode_cursor(page[-1]) if more else None,
        )

    async def reset(self, db: AsyncSession, user_id: uuid.UUID) -> PortfolioOut:
        """Archive the current run (its trades stay, out of view) and start a new one at $100."""
        portfolio = await self.current(db, user_id)
        if not await repository.archive(db, portfolio.id, _now()):
            raise PortfolioChanged("Your portfolio was just reset in another tab. Check it and try again.")
        await orders_repository.close_open(db, portfolio.id, "cancelled", "The portfolio was reset.")
        await repository.create_portfolio(db, user_id, portfolio.run + 1)
        return await self.view(db, user_id)


class PlacedOrder(NamedTuple):
    trade: TradeOut
    replayed: bool
    tick: PriceTick | None = None  # the tick a new fill was priced at (for the fill event's risk flags)


HOLDING_CHANGED = "Your holding changed while we traded. Please try again."
CASH_CHANGED = "Your cash changed while we traded. Please try again."


class DuplicateKey(Exception):
    """The user already has a trade with this Idempotency-Key (a concurrent retry filled first)."""


async def _write_in_one_statement(
    db: AsyncSession,
    trade: dict[str, Any],
    holding: repository.HoldingRow | None,
    holding_after: tuple[Decimal, Decimal],
    cash: tuple[Decimal, Decimal],
    snapshot: dict[str, Any],
) -> Row[Any]:
    """PostgreSQL: the fill's writes in one statement (`repository.write_fill_postgresql`). A refusal
    raises, and the caller's transaction rolls back what the statement wrote."""
    if min(holding_after) < 0:  # refused as `swap_holding` and `set_cash` refuse them on SQLite
        raise PortfolioChanged(HOLDING_CHANGED)
    if cash[1] < 0:
        raise PortfolioChanged(CASH_CHANGED)
    written = await repository.write_fill_postgresql(db, trade, holding, holding_after, cash, snapshot)
    if written.trade is None:
        raise DuplicateKey(trade["idempotency_key"])
    if not written.holding_written:
        raise PortfolioChanged(HOLDING_CHANGED)
    if not written.cash_written:
        raise PortfolioChanged(CASH_CHANGED)
    if not written.folded:  # rare: a snapshot not newer than the last one folded in, or one never folded
        await equity.refold(db, snapshot["run_id"])
    return written.trade


async def _write_one_at_a_time(
    db: AsyncSession,
    trade: dict[str, Any],
    holding: repository.HoldingRow | None,
    holding_after: tuple[Decimal, Decimal],
    cash: tuple[Decimal, Decimal],
    value: equity.Valuation,
) -> Row[Any]:
    """SQLite (one writer at a time: round trips under the lock cost nothing): the same writes as
    `_write_in_one_statement`, one statement each, the trade first so a duplicate key writes nothing."""
    written = await repository.insert_trade(db, trade)
    if written is None:
        raise DuplicateKey(trade["idempotency_key"])
    amount, basis = holding_after
    portfolio_id = trade["portfolio_id"]
    if holding is None:
        await repository.add_holding(db, portfolio_id, trade["token"], amount, basis)
    elif not await repository.swap_holding(db, holding, amount, basis):
        raise PortfolioChanged(HOLDING_CHANGED)
    if not await repository.set_cash(db, portfolio_id, *cash):
        raise PortfolioChanged(CASH_CHANGED)
    await equity.snapshot(db, portfolio_id, value, "trade", realized=written.realized_pnl_usd)
    return written


def _check_minimum(min_amount_out: Decimal | None, fill: Fill, symbol: str) -> None:
    got = fill.token_amount if fill.side == "buy" else fill.usd_amount
    if min_amount_out is not None and got < min_amount_out:
        unit = symbol if fill.side == "buy" else "USD"
        raise PriceMoved(
            f"The price moved: you would get {format(got, 'f')} {unit}, less than your minimum of "
            f"{format(min_amount_out, 'f')}. Get a new quote and try again."
        )


def trade_out(trade: Trade | Row[Any]) -> TradeOut:
    """The API shape of a trade, from the model or a row of the trades table (same names)."""
    usd, tokens = (
        Amount(amount=trade.usd_amount, unit="USD"),
        Amount(amount=trade.token_amount, unit=trade.symbol),
    )
    buy = trade.side == "buy"
    return TradeOut(
        id=trade.id,
        side="buy" if buy else "sell",
        token=trade.token,
        symbol=trade.symbol,
        amount_in=usd if buy else tokens,
        amount_out=tokens if buy else usd,
        token_amount=trade.token_amount,
        usd_amount=trade.usd_amount,
        price_usd=trade.price_usd,
        fill_price=trade.fill_price,
        pool_fee_usd=trade.pool_fee_usd,
        price_impact_pct=trade.price_impact_pct,
        gas_usd=trade.gas_usd,
        cost_basis_usd=trade.cost_basis_usd,
        realized_pnl_usd=trade.realized_pnl_usd,
        price_source=trade.price_source,
        price_as_of=trade.price_as_of,
        created_at=trade.created_at,
    )


def encode_cursor(trade: Trade) -> str:
    raw = f"{trade.created_at.isoformat()}|{trade.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, _, trade_id = raw.partition("|")
        when = datetime.fromisoformat(created)
        if when.tzinfo is None:
            raise ValueError("naive")
        return when, uuid.UUID(trade_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest("This cursor is not valid: use the next_cursor from the previous page.") from None
