import { queryOptions, useQuery } from '@tanstack/react-query';

import { fetchMarketStatus } from '@/lib/api';

/** GET /api/market/status: which source is active and each source's health and budget. */
export const marketStatusQueryOptions = queryOptions({
  queryKey: ['market', 'status'] as const,
  queryFn: ({ signal }) => fetchMarketStatus(signal),
  staleTime: 30_000,
});

export function useMarketStatus() {
  return useQuery(marketStatusQueryOptions);
}
