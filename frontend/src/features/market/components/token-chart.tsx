import { lazy, Suspense, useState } from 'react';

import { Button } from '@/components/ui/button';
import { SegmentedControl } from '@/components/ui/segmented-control';
import { Skeleton } from '@/components/ui/skeleton';
import { describeError } from '@/lib/api';
import { formatPrice } from '@/lib/format';

import { useCandles } from '../api/candles';
import { DEFAULT_TIMEFRAME, type Timeframe, TIMEFRAMES } from '../api/params';
import { useTokenStream } from '../hooks/use-token-stream';

// lightweight-charts is most of the bundle's weight: load it only when a token page opens.
const CandleChart = lazy(async () => ({ default: (await import('./candle-chart')).CandleChart }));

const TIMEFRAME_OPTIONS = TIMEFRAMES.map((value) => ({ value, label: value }));
const TIMEFRAME_WORDS: Record<Timeframe, string> = {
  '1m': '1-minute',
  '5m': '5-minute',
  '15m': '15-minute',
  '1h': '1-hour',
  '4h': '4-hour',
  '1d': '1-day',
};

/** The chart card: timeframe switch, candles, and the live forming candle. */
export function TokenChart({ address, symbol }: { address: string; symbol: string }) {
  const [timeframe, setTimeframe] = useState<Timeframe>(DEFAULT_TIMEFRAME);
  const candles = useCandles(address, timeframe);
  useTokenStream(address, timeframe);
  const rows = candles.data?.candles ?? [];
  const last = rows.at(-1);
  const label = `Price chart of ${symbol} in ${TIMEFRAME_WORDS[timeframe]} candles${
    last ? `. Last price ${formatPrice(last.c)}.` : '.'
  }`;
  return (
    <section className="token-chart" aria-label="Price chart">
      <SegmentedControl
        label="Candle length"
        options={TIMEFRAME_OPTIONS}
        value={timeframe}
        onChange={setTimeframe}
        fill
      />
      <div className="token-chart__body" aria-busy={candles.isFetching && candles.isPlaceholderData}>
        {candles.isError && !candles.data ? (
          <div className="token-chart__error" role="alert">
            <p>{describeError(candles.error)}</p>
            <Button variant="secondary" onClick={() => void candles.refetch()}>
              Retry
            </Button>
          </div>
        ) : candles.isPending ? (
          <Skeleton height="100%" radius="var(--radius-sm)" />
        ) : (
          <Suspense fallback={<Skeleton height="100%" radius="var(--radius-sm)" />}>
            <CandleChart candles={rows} label={label} />
          </Suspense>
        )}
      </div>
      <p className="token-chart__hint">
        Each candle shows where the price opened, its highest and lowest point, and where it closed. Green went up, red
        went down.
      </p>
    </section>
  );
}
