import { queryOptions, useQuery } from '@tanstack/react-query';

import { fetchRecentTrades } from '@/lib/api';

import { marketKeys } from './keys';

export const RECENT_TRADES_LIMIT = 10;
/** Trades are cached 15 s on the server too: polling faster would only re-read the cache. */
const REFRESH_MS = 15_000;

/** GET /api/tokens/{address}/trades, newest first, refreshed while the page is open. */
export function recentTradesQueryOptions(address: string) {
  return queryOptions({
    queryKey: marketKeys.trades(address),
    queryFn: ({ signal }) => fetchRecentTrades(address, RECENT_TRADES_LIMIT, signal),
    staleTime: REFRESH_MS,
    refetchInterval: REFRESH_MS,
    retry: false,
  });
}

export function useRecentTrades(address: string) {
  return useQuery(recentTradesQueryOptions(address));
}
