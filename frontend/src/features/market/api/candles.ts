import { queryOptions, useQuery } from '@tanstack/react-query';

import { fetchCandles } from '@/lib/api';

import { marketKeys } from './keys';
import { type Timeframe } from './params';

export const CANDLE_LIMIT = 200;

/** GET /api/tokens/{address}/candles, oldest first. The forming candle is updated live. */
export function candlesQueryOptions(address: string, timeframe: Timeframe) {
  return queryOptions({
    queryKey: marketKeys.candles(address, timeframe),
    queryFn: ({ signal }) => fetchCandles(address, { tf: timeframe, limit: CANDLE_LIMIT }, signal),
    staleTime: 60_000,
    // Keep the previous timeframe on screen (dimmed) until the new one arrives.
    placeholderData: (previous) => previous,
  });
}

export function useCandles(address: string, timeframe: Timeframe) {
  return useQuery(candlesQueryOptions(address, timeframe));
}
