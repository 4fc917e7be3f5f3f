import { useId } from 'react';
import { Link } from 'react-router';

import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { LinkButton } from '@/components/ui/link-button';
import { Skeleton } from '@/components/ui/skeleton';
import { type Holding, type Portfolio } from '@/lib/api';
import { formatPercent, formatTokenAmount, formatUsd } from '@/lib/format';

import { Pnl } from './pnl';

function HoldingRow({ holding, onTrade }: { holding: Holding; onTrade: (token: string) => void }) {
  return (
    <li className="pf-holding" data-testid="holding" data-token={holding.token}>
      <Link to={`/market/${holding.token}`} className="pf-holding__link">
        <span className="pf-holding__names">
          <span className="pf-holding__symbol">{holding.symbol}</span>
          <span className="pf-muted">
            {formatTokenAmount(holding.amount)} {holding.symbol}
          </span>
        </span>
        <span className="pf-holding__numbers">
          <span className="pf-holding__value">{formatUsd(holding.value_usd)}</span>
          <Pnl usd={holding.unrealized_pnl_usd} pct={holding.unrealized_pnl_pct} label="not yet realized" />
        </span>
      </Link>
      <div className="pf-holding__foot">
        <span className="pf-muted">
          {formatPercent(holding.share_pct)} of your portfolio
          {holding.stale && (
            <>
              {' '}
              <Badge tone="warning">Price may be old</Badge>
            </>
          )}
        </span>
        <Button
          variant="secondary"
          className="pf-small-button"
          onClick={() => {
            onTrade(holding.token);
          }}
          aria-label={`Trade ${holding.symbol}`}
        >
          Trade
        </Button>
      </div>
    </li>
  );
}

/** What the portfolio owns; each row opens its token page, "Trade" opens the ticket. */
export function HoldingsList({
  portfolio,
  onTrade,
}: {
  portfolio: Portfolio | undefined;
  onTrade: (token: string) => void;
}) {
  const headingId = useId();
  return (
    <section className="pf-section" aria-labelledby={headingId} aria-busy={portfolio ? undefined : true}>
      <h2 id={headingId} className="pf-section__title">
        Your tokens
      </h2>
      {!portfolio ? (
        <div className="pf-list-skeleton">
          <Skeleton height="4.5rem" radius="var(--radius-md)" />
          <Skeleton height="4.5rem" radius="var(--radius-md)" />
        </div>
      ) : portfolio.holdings.length === 0 ? (
        <Card className="pf-empty" data-testid="holdings-empty">
          <p>
            You have {formatUsd(portfolio.cash_usd)} of play money. Pick a token in Market to practise your first trade.
          </p>
          <LinkButton to="/market">Go to Market</LinkButton>
        </Card>
      ) : (
        <ul className="pf-list">
          {portfolio.holdings.map((holding) => (
            <HoldingRow key={holding.token} holding={holding} onTrade={onTrade} />
          ))}
        </ul>
      )}
    </section>
  );
}
