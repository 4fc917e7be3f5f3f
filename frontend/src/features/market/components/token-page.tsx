import { Link, useParams } from 'react-router';

import { BackIcon } from '@/components/icons';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { ErrorState } from '@/components/ui/error-state';
import { LinkButton } from '@/components/ui/link-button';
import { Page } from '@/components/ui/page';
import { PageSkeleton } from '@/components/ui/skeleton';
import { ApiError, describeError, type TokenDetail } from '@/lib/api';

import { useToken } from '../api/token';
import { usePriceTicks } from '../hooks/use-price-ticks';
import { LivePrice } from './live-price';
import { MarketSourceLine } from './market-source-line';
import { PriceChange } from './price-change';
import { RecentTrades } from './recent-trades';
import { RiskFlagList } from './risk-flag-list';
import { TokenAvatar } from './token-avatar';
import { TokenChart } from './token-chart';
import { TokenStats } from './token-stats';
import './token-page.css';

function BackToMarket() {
  return (
    <Link to="/market" className="token-page__back">
      <BackIcon />
      Market
    </Link>
  );
}

function TokenProblem({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  if (error instanceof ApiError && error.status === 404) {
    return (
      <Page
        title="We don't know this token"
        intro="It is not in our list of Base tokens, so we have no price or chart for it."
      >
        <p>
          Check the address, or <Link to="/market">pick a token from the market</Link>.
        </p>
      </Page>
    );
  }
  if (error instanceof ApiError && error.status === 400) {
    return (
      <Page title="That address looks wrong" intro={error.detail}>
        <p>
          A Base token address starts with 0x and has 40 more letters and digits.{' '}
          <Link to="/market">Back to the market</Link>
        </p>
      </Page>
    );
  }
  return (
    <ErrorState
      title="We couldn't load this token"
      message={describeError(error)}
      actionLabel="Retry"
      onAction={onRetry}
    />
  );
}

function TokenHeader({ token }: { token: TokenDetail }) {
  return (
    <div className="token-page__price-row">
      <TokenAvatar symbol={token.symbol} size="lg" />
      <div className="token-page__price-block">
        <LivePrice value={token.price_usd} className="token-page__price" />
        <span className="token-page__change">
          <PriceChange value={token.change_24h_pct} /> <span className="token-page__change-label">24h</span>
        </span>
      </div>
    </div>
  );
}

function SimulationNotice({ token }: { token: TokenDetail }) {
  if (token.source !== 'simulated' && !token.price_is_placeholder) return null;
  return (
    <Card className="token-page__notice">
      <h2>{token.source === 'simulated' ? 'Simulated prices' : 'Estimated price'}</h2>
      {token.source === 'simulated' && (
        <p>
          This price moves like a real market, but it is made up for practice. It is not the real price of{' '}
          {token.symbol}.
        </p>
      )}
      {token.price_is_placeholder && <p>The starting price is an estimate for practice, not a recent real price.</p>}
      {token.stats_are_placeholders && <p>Numbers marked “Estimate” are estimates for practice.</p>}
    </Card>
  );
}

function TokenBody({ token }: { token: TokenDetail }) {
  return (
    <>
      <TokenHeader token={token} />
      <MarketSourceLine source={token.source} asOf={token.as_of} stale={token.stale} />
      <TokenChart address={token.address} symbol={token.symbol} />
      <SimulationNotice token={token} />
      <section className="token-page__section" aria-labelledby="token-risks">
        <h2 id="token-risks">Risk flags</h2>
        <RiskFlagList flags={token.risk_flags} />
      </section>
      <section className="token-page__section" aria-labelledby="token-stats">
        <h2 id="token-stats">Key numbers</h2>
        <TokenStats token={token} />
      </section>
      <RecentTrades address={token.address} symbol={token.symbol} />
      <section className="token-page__actions" aria-label="Next steps">
        <LinkButton
          to={`/chat?q=${encodeURIComponent(`Tell me about ${token.symbol}. How is it doing today?`)}&token=${token.address}`}
        >
          Ask EAILI5 about this token
        </LinkButton>
        <LinkButton to={`/portfolio?token=${token.address}`} variant="secondary">
          Practise a trade
        </LinkButton>
        <p className="token-page__actions-note">
          Ask EAILI5 opens the chat with a question about this token, answered with its live numbers. Practise a trade
          opens a ticket for this token with play money.
        </p>
      </section>
    </>
  );
}

export function TokenPage() {
  const { address = '' } = useParams();
  const query = useToken(address);
  // Keeps the price fresh for tokens that also sit in a cached list; the token channel does the rest.
  usePriceTicks();
  if (query.isPending) return <PageSkeleton label="Loading token" />;
  if (query.isError) {
    return (
      <div className="token-page">
        <BackToMarket />
        <TokenProblem error={query.error} onRetry={() => void query.refetch()} />
      </div>
    );
  }
  const token = query.data;
  return (
    <div className="token-page">
      <BackToMarket />
      <Page
        title={token.symbol}
        intro={token.name}
        aside={token.source === 'simulated' ? <Badge tone="warning">Simulated</Badge> : null}
      >
        <TokenBody token={token} />
      </Page>
    </div>
  );
}
