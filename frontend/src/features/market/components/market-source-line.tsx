import { WarningIcon } from '@/components/icons';
import { formatRelativeTime } from '@/lib/format';
import { useNow } from '@/lib/use-now';
import { type MarketSourceName } from '@/lib/api';

import { sourceName } from '../api/source';

/** Where the prices come from and how fresh they are, always visible above prices. */
export function MarketSourceLine({
  source,
  asOf,
  stale,
}: {
  source: MarketSourceName | null;
  asOf: string | null;
  stale: boolean;
}) {
  const now = useNow(1000);
  return (
    <div className="market-source">
      <p className="market-source__line" data-testid="market-source">
        {source === null
          ? 'No price source is answering right now'
          : source === 'simulated'
            ? 'Simulated market · prices update every second'
            : `Live from ${sourceName(source)} · ${formatRelativeTime(asOf, now)}`}
      </p>
      {stale && (
        <p className="market-source__stale" role="status">
          <WarningIcon />
          Prices may be out of date. We are trying to reach the market again.
        </p>
      )}
    </div>
  );
}
