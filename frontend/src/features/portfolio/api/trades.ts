import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';

import { fetchTrades } from '@/lib/api';

import { portfolioKeys } from './keys';

export const TRADES_PAGE_SIZE = 20;

/** GET /api/portfolio/trades, newest first, a page at a time ("Load more"). */
export const tradesQueryOptions = infiniteQueryOptions({
  queryKey: portfolioKeys.trades(),
  queryFn: ({ pageParam, signal }) =>
    fetchTrades(pageParam ? { cursor: pageParam, limit: TRADES_PAGE_SIZE } : { limit: TRADES_PAGE_SIZE }, signal),
  initialPageParam: null as string | null,
  getNextPageParam: (page) => page.next_cursor,
});

export function useTrades() {
  return useInfiniteQuery(tradesQueryOptions);
}
