import { ApiError, type MarketTrade } from '@/lib/api';
import { formatPrice, formatRelativeTime, formatTokenAmount, formatUsd } from '@/lib/format';
import { useNow } from '@/lib/use-now';

import { useRecentTrades } from '../api/recent-trades';
import './recent-trades.css';

const SIDE_LABEL = { buy: 'Bought', sell: 'Sold' } as const;

function TradeRow({ trade, symbol, now }: { trade: MarketTrade; symbol: string; now: number }) {
  const side = trade.side ?? null;
  return (
    <li className="recent-trades__row">
      <span className={`recent-trades__side${side ? ` recent-trades__side--${side}` : ''}`}>
        {side ? SIDE_LABEL[side] : 'Swapped'}
      </span>
      <span className="recent-trades__amount">
        {formatTokenAmount(trade.amount)} {symbol}
        <span className="recent-trades__detail">at {formatPrice(trade.price_usd)}</span>
      </span>
      <span className="recent-trades__value">
        {formatUsd(trade.amount_usd)}
        <span className="recent-trades__detail">{formatRelativeTime(trade.at, now)}</span>
      </span>
    </li>
  );
}

/**
 * The token's newest swaps: what "volume" is made of. Hidden when this deployment has no source that
 * lists trades (503 NoTradesSource) — that is a setting, not something a learner can fix.
 */
export function RecentTrades({ address, symbol }: { address: string; symbol: string }) {
  const trades = useRecentTrades(address);
  const now = useNow(5_000);
  if (trades.error instanceof ApiError && trades.error.kind === 'NoTradesSource') return null;
  return (
    <section className="token-page__section" aria-labelledby="token-trades">
      <h2 id="token-trades">Recent trades</h2>
      <p className="recent-trades__intro">
        Each row is one swap in the pool. Lots of rows a minute means the token trades a lot.
        {trades.data?.source === 'simulated' ? ' These trades are simulated from the simulated prices.' : ''}
      </p>
      {trades.isPending ? <p className="recent-trades__status">Loading trades…</p> : null}
      {trades.isError ? <p className="recent-trades__status">Trades could not be loaded right now.</p> : null}
      {trades.data ? (
        <ul className="recent-trades" aria-label={`Newest ${symbol} trades`}>
          {trades.data.trades.map((trade, index) => (
            <TradeRow key={`${trade.at}-${index}`} trade={trade} symbol={symbol} now={now} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}
