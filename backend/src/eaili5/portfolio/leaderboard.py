"""The leaderboard: current runs only (archived runs never count), ranked by return %.

- `all`: return of the current run since it started ($100).
- `week`: return over the last 7 days: from the run's value 7 days ago (its last snapshot before
  then; none means it was still all cash, $100) to now. Only trades in the window count.
- Risk-adjusted score = return % / max(max drawdown %, 1): the % gained for each % the run was ever
  down (a loss stays as it is, so a deep fall never makes a loss look better).
- A run needs `leaderboard_min_trades` trades (in the period) to be ranked.
- Names come from auth.display_names: nicknames for guests, shortened addresses for wallets.
The ranking is computed for everyone at most every `leaderboard_cache_seconds` and shared by all
instances through the KV cache; the caller's own row is picked out per request.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.auth.display_names import display_name
from eaili5.core.db import Database
from eaili5.core.kv import KV
from eaili5.models import Holding, Portfolio, Trade, User
from eaili5.models.portfolio import STARTING_BALANCE_USD
from eaili5.portfolio import equity
from eaili5.portfolio.pricing import USD_SCALE, even
from eaili5.portfolio.schemas import (
    LeaderboardPeriod,
    LeaderboardSort,
    TradingLeaderboard,
    TradingLeaderboardEntry,
    TradingLeaderboardYou,
)
from eaili5.portfolio.service import PortfolioService

PCT = Decimal("0.0001")
WEEK = timedelta(days=7)
MIN_DRAWDOWN_FOR_SCORE = Decimal(1)


@dataclass(frozen=True)
class Row:
    user_id: uuid.UUID
    name: str
    return_pct: Decimal
    score: Decimal
    drawdown: Decimal
    trades: int
    value: Decimal

    def dump(self) -> dict[str, str | int]:
        return {
            "user_id": str(self.user_id),
            "name": self.name,
            "return_pct": str(self.return_pct),
            "score": str(self.score),
            "drawdown": str(self.drawdown),
            "trades": self.trades,
            "value": str(self.value),
        }

    @classmethod
    def load(cls, raw: dict[str, str | int]) -> Row:
        return cls(
            uuid.UUID(str(raw["user_id"])),
            str(raw["name"]),
            Decimal(str(raw["return_pct"])),
            Decimal(str(raw["score"])),
            Decimal(str(raw["drawdown"])),
            int(raw["trades"]),
            Decimal(str(raw["value"])),
        )


def risk_adjusted(return_pct: Decimal, drawdown_pct: Decimal) -> Decimal:
    if return_pct <= 0:
        return even(return_pct, PCT)
    return even(return_pct / max(drawdown_pct, MIN_DRAWDOWN_FOR_SCORE), PCT)


def ordered(rows: list[Row], sort: LeaderboardSort) -> list[Row]:
    if sort == "score":
        return sorted(rows, key=lambda row: (-row.score, -row.return_pct, row.name))
    return sorted(rows, key=lambda row: (-row.return_pct, -row.score, row.name))


class Leaderboard:
    def __init__(self, db: Database, kv: KV, service: PortfolioService) -> None:
        self.db, self.kv, self.service = db, kv, service
        self.settings = service.settings

    async def read(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        period: LeaderboardPeriod,
        sort: LeaderboardSort,
        limit: int,
    ) -> TradingLeaderboard:
        rows = ordered(await self._rows(period), sort)
        entries = [self._entry(rank, row, user_id) for rank, row in enumerate(rows, start=1)]
        mine = next((entry for entry in entries if entry.is_you), None)
        min_trades = self.settings.leaderboard_min_trades
        trades = mine.trades if mine else await self._my_trades(session, user_id, _since(period))
        return TradingLeaderboard(
            period=period,
            sort=sort,
            min_trades=min_trades,
            ranked=len(entries),
            entries=entries[:limit],
            you=TradingLeaderboardYou(
                qualified=mine is not None,
                trades=trades,
                trades_needed=0 if mine else max(0, min_trades - trades),
                entry=mine,
            ),
            as_of=datetime.now(UTC),
        )

    def _entry(self, rank: int, row: Row, user_id: uuid.UUID) -> TradingLeaderboardEntry:
        return TradingLeaderboardEntry(
            rank=rank,
            display_name=row.name,
            return_pct=row.return_pct,
            risk_adjusted_score=row.score,
            max_drawdown_pct=row.drawdown,
            trades=row.trades,
            total_value_usd=row.value,
            is_you=row.user_id == user_id,
        )

    async def _rows(self, period: LeaderboardPeriod) -> list[Row]:
        ttl = self.settings.leaderboard_cache_seconds

        async def compute() -> bytes:
            return orjson.dumps([row.dump() for row in await self.compute(period)])

        raw = await (
            self.kv.get_or_compute(f"portfolio:leaderboard:{period}", ttl, compute) if ttl else compute()
        )
        return [Row.load(item) for item in orjson.loads(raw)]

    async def _my_trades(self, db: AsyncSession, user_id: uuid.UUID, since: datetime | None) -> int:
        query = (
            select(func.count(Trade.id))
            .join(Portfolio, Portfolio.id == Trade.portfolio_id)
            .where(Portfolio.user_id == user_id, Portfolio.archived_at.is_(None))
        )
        if since is not None:
            query = query.where(Trade.created_at >= since)
        return int((await db.execute(query)).scalar_one())

    async def compute(self, period: LeaderboardPeriod) -> list[Row]:
        """Every qualifying current run, unordered."""
        since = _since(period)
        ticks = await self.service.market.ticks()
        async with self.db.transaction() as db:
            counts = await _trade_counts(db, since)
            qualified = [pid for pid, n in counts.items() if n >= self.settings.leaderboard_min_trades]
            if not qualified:
                return []
            runs = await _runs(db, qualified)
            holdings = await _holdings(db, qualified)
            history = await equity.snapshots(db, qualified, since)
            bases = await equity.last_before(db, qualified, since) if since else {}
        by_run: dict[uuid.UUID, list[Decimal]] = {}
        for snap in history:
            by_run.setdefault(snap.portfolio_id, []).append(snap.total_value_usd)
        rows = []
        for pid in qualified:
            portfolio, user = runs[pid]
            value = even(portfolio.balance + equity.value_holdings(holdings.get(pid, []), ticks), USD_SCALE)
            base = bases.get(pid, STARTING_BALANCE_USD)
            return_pct = even((value - base) / base * 100, PCT) if base > 0 else Decimal(0)
            drawdown = equity.max_drawdown_pct([base, *by_run.get(pid, []), value])
            rows.append(
                Row(
                    user.id,
                    display_name(user),
                    return_pct,
                    risk_adjusted(return_pct, drawdown),
                    drawdown,
                    counts[pid],
                    value,
                )
            )
        return rows


def _since(period: LeaderboardPeriod) -> datetime | None:
    return datetime.now(UTC) - WEEK if period == "week" else None


async def _trade_counts(db: AsyncSession, since: datetime | None) -> Counter[uuid.UUID]:
    query = (
        select(Trade.portfolio_id, func.count(Trade.id))
        .join(Portfolio, Portfolio.id == Trade.portfolio_id)
        .where(Portfolio.archived_at.is_(None))
        .group_by(Trade.portfolio_id)
    )
    if since is not None:
        query = query.where(Trade.created_at >= since)
    return Counter({pid: int(count) for pid, count in (await db.execute(query)).all()})


async def _runs(db: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[Portfolio, User]]:
    query = select(Portfolio, User).join(User, User.id == Portfolio.user_id).where(Portfolio.id.in_(ids))
    return {portfolio.id: (portfolio, user) for portfolio, user in (await db.execute(query)).all()}


async def _holdings(db: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Holding]]:
    found: dict[uuid.UUID, list[Holding]] = {}
    for holding in (await db.execute(select(Holding).where(Holding.portfolio_id.in_(ids)))).scalars():
        found.setdefault(holding.portfolio_id, []).append(holding)
    return found
