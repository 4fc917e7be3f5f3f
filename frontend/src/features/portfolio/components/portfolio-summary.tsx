import { Card } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { type Portfolio } from '@/lib/api';
import { formatPercent, formatRelativeTime, formatUsd } from '@/lib/format';
import { useNow } from '@/lib/use-now';

import { Pnl } from './pnl';

const NOTE = 'Practice money — not real. It cannot be withdrawn or spent.';

/** Total value, profit or loss since the start of this run, cash and what sits in tokens. */
export function PortfolioSummary({ portfolio }: { portfolio: Portfolio | undefined }) {
  const now = useNow(5_000);
  if (!portfolio) {
    return (
      <Card className="pf-summary" aria-busy="true">
        <span className="visually-hidden" role="status">
          Loading your portfolio
        </span>
        <Skeleton width="35%" />
        <Skeleton width="55%" height="2.25rem" />
        <Skeleton width="70%" />
        <Skeleton height="3rem" radius="var(--radius-sm)" />
      </Card>
    );
  }
  const pnl = Number(portfolio.total_value_usd) - Number(portfolio.starting_cash_usd);
  return (
    <Card className="pf-summary" data-testid="portfolio-summary">
      <h2 className="pf-summary__label">Total value</h2>
      <p className="pf-summary__total" data-testid="total-value">
        {formatUsd(portfolio.total_value_usd)}
      </p>
      <p className="pf-summary__pnl">
        <Pnl usd={pnl.toFixed(2)} pct={portfolio.total_return_pct} label="profit or loss" />
        <span className="pf-muted"> since you started with {formatUsd(portfolio.starting_cash_usd)}</span>
      </p>
      <dl className="pf-summary__split">
        <div>
          <dt>Cash</dt>
          <dd data-testid="cash">{formatUsd(portfolio.cash_usd)}</dd>
        </div>
        <div>
          <dt>In tokens</dt>
          <dd>{formatUsd(portfolio.holdings_value_usd)}</dd>
        </div>
        <div>
          <dt>Biggest fall</dt>
          <dd data-testid="max-drawdown" title="The most your total value ever fell from a high point in this run">
            {formatPercent(portfolio.max_drawdown_pct)}
          </dd>
        </div>
      </dl>
      <p className="pf-summary__note">{NOTE}</p>
      <p className="pf-summary__as-of">
        Values move with live prices · checked {formatRelativeTime(portfolio.as_of, now)}
      </p>
    </Card>
  );
}
