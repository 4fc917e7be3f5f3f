import { useId, useState } from 'react';

import { Card } from '@/components/ui/card';
import { SegmentedControl } from '@/components/ui/segmented-control';
import { Skeleton } from '@/components/ui/skeleton';
import { describeError, type LeaderboardPeriod, type TradingLeaderboardRow } from '@/lib/api';
import { formatPercent, formatUsd } from '@/lib/format';

import { useTradingLeaderboard } from '../api/leaderboard';

const PERIODS = [
  { value: 'week', label: 'This week' },
  { value: 'all', label: 'This run' },
] as const satisfies readonly { value: LeaderboardPeriod; label: string }[];

const SHOWN = 10;

function signed(pct: string): string {
  return formatPercent(pct, { signed: true }).replace('-', '−');
}

function Row({ row }: { row: TradingLeaderboardRow }) {
  return (
    <li className={`pf-rank${row.is_you ? ' pf-rank--you' : ''}`} data-testid="leaderboard-row">
      <span className="pf-rank__place">{row.rank}</span>
      <span className="pf-rank__name">
        {row.display_name}
        {row.is_you && <span className="pf-muted"> (you)</span>}
        <span className="pf-muted pf-rank__detail">
          {formatUsd(row.total_value_usd)} · biggest fall {formatPercent(row.max_drawdown_pct)} · {row.trades} trades
        </span>
      </span>
      <span className="pf-rank__numbers">
        <span className="pf-rank__return">{signed(row.return_pct)}</span>
        <span className="pf-muted">score {Number(row.risk_adjusted_score).toFixed(2).replace('-', '−')}</span>
      </span>
    </li>
  );
}

/** Who did best with their play money: by return, with a score that also counts how far they fell. */
export function TradingLeaderboard() {
  const headingId = useId();
  const [period, setPeriod] = useState<LeaderboardPeriod>('week');
  const board = useTradingLeaderboard(period);
  const data = board.data;
  const you = data?.you;
  const youShown = data?.entries.slice(0, SHOWN).some((row) => row.is_you) ?? false;
  return (
    <section className="pf-section" aria-labelledby={headingId}>
      <h2 id={headingId} className="pf-section__title">
        Leaderboard
      </h2>
      <Card className="pf-leaderboard" data-testid="leaderboard">
        <SegmentedControl label="Leaderboard period" options={PERIODS} value={period} onChange={setPeriod} fill />
        {board.isPending ? (
          <Skeleton height="6rem" radius="var(--radius-sm)" />
        ) : board.isError && !data ? (
          <p role="alert" className="pf-muted">
            {describeError(board.error)}
          </p>
        ) : data ? (
          <>
            {data.entries.length === 0 ? (
              <p className="pf-muted">Nobody is ranked yet. Make {data.min_trades} trades to be the first.</p>
            ) : (
              <ol className="pf-list pf-leaderboard__list">
                {data.entries.slice(0, SHOWN).map((row) => (
                  <Row key={`${row.rank}-${row.display_name}`} row={row} />
                ))}
              </ol>
            )}
            {you?.entry && !youShown && (
              <ol className="pf-list pf-leaderboard__list" aria-label="Your place">
                <Row row={you.entry} />
              </ol>
            )}
            <p className="pf-muted" data-testid="leaderboard-you">
              {you?.qualified
                ? `You are number ${String(you.entry?.rank)} of ${String(data.ranked)}.`
                : `Make ${String(you?.trades_needed ?? data.min_trades)} more trade${you?.trades_needed === 1 ? '' : 's'} to join the leaderboard.`}
            </p>
            <p className="pf-muted pf-leaderboard__how">
              Ranked by return: how much the play money grew. The score divides the return by the biggest fall, so a
              steady gain beats a wild bet. Names are made up, so nobody sees who you are.
            </p>
          </>
        ) : null}
      </Card>
    </section>
  );
}
