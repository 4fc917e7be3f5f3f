import { useId } from 'react';

import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { describeError, type Trade } from '@/lib/api';
import { formatPrice, formatRelativeTime, formatUsd, formatUnitAmount } from '@/lib/format';
import { useNow } from '@/lib/use-now';

import { useTrades } from '../api/trades';
import { Pnl } from './pnl';

function TradeRow({ trade, now }: { trade: Trade; now: number }) {
  const buy = trade.side === 'buy';
  return (
    <li className="pf-trade" data-testid="trade" data-side={trade.side}>
      <div className="pf-trade__top">
        <span className={`pf-trade__side pf-trade__side--${trade.side}`}>{buy ? 'Bought' : 'Sold'}</span>
        <span className="pf-trade__symbol">{trade.symbol}</span>
        <time
          className="pf-muted pf-trade__time"
          dateTime={trade.created_at}
          title={new Date(trade.created_at).toLocaleString()}
        >
          {formatRelativeTime(trade.created_at, now)}
        </time>
      </div>
      <p>
        Paid {formatUnitAmount(trade.amount_in.amount, trade.amount_in.unit)} · got{' '}
        {formatUnitAmount(trade.amount_out.amount, trade.amount_out.unit)}
      </p>
      <p className="pf-muted">
        {formatPrice(trade.fill_price)} per {trade.symbol} · fee {formatUsd(trade.pool_fee_usd)} · gas{' '}
        {formatUsd(trade.gas_usd)}
      </p>
      {!buy && trade.realized_pnl_usd !== null && (
        <p>
          Profit or loss on this sale: <Pnl usd={trade.realized_pnl_usd} />
        </p>
      )}
    </li>
  );
}

/** This run's trades, newest first, with "Load more". */
export function TradeHistory() {
  const headingId = useId();
  const trades = useTrades();
  const now = useNow(10_000);
  const items = trades.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section className="pf-section" aria-labelledby={headingId} aria-busy={trades.isPending || undefined}>
      <h2 id={headingId} className="pf-section__title">
        Trade history
      </h2>
      {trades.isPending ? (
        <div className="pf-list-skeleton">
          <Skeleton height="4rem" radius="var(--radius-md)" />
        </div>
      ) : trades.isError && items.length === 0 ? (
        <Card role="alert" className="pf-empty">
          <p>{describeError(trades.error)}</p>
          <Button variant="secondary" onClick={() => void trades.refetch()}>
            Try again
          </Button>
        </Card>
      ) : items.length === 0 ? (
        <p className="pf-muted">No trades yet. Your buys and sells will show up here.</p>
      ) : (
        <>
          <ul className="pf-list" data-testid="trade-history">
            {items.map((trade) => (
              <TradeRow key={trade.id} trade={trade} now={now} />
            ))}
          </ul>
          {trades.hasNextPage && (
            <Button
              variant="secondary"
              className="pf-more"
              disabled={trades.isFetchingNextPage}
              onClick={() => void trades.fetchNextPage()}
            >
              {trades.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </Button>
          )}
          {trades.isFetchNextPageError && (
            <p role="alert" className="pf-muted">
              {describeError(trades.error)}
            </p>
          )}
        </>
      )}
    </section>
  );
}
