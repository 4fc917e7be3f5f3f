import { queryOptions, useQuery } from '@tanstack/react-query';

import { fetchPortfolio } from '@/lib/api';

import { portfolioKeys } from './keys';

/**
 * Prices move every second; the server values holdings, so the tab refetches this often while it
 * is visible (TanStack Query pauses the interval in a background tab).
 */
export const PORTFOLIO_REFRESH_MS = 10_000;

/** GET /api/portfolio: cash, holdings valued at the latest prices, totals. */
export const portfolioQueryOptions = queryOptions({
  queryKey: portfolioKeys.summary(),
  queryFn: ({ signal }) => fetchPortfolio(signal),
  staleTime: 5_000,
  refetchInterval: PORTFOLIO_REFRESH_MS,
});

export function usePortfolio() {
  return useQuery(portfolioQueryOptions);
}
