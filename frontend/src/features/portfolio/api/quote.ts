import { keepPreviousData, queryOptions, skipToken, useQuery } from '@tanstack/react-query';

import { fetchQuote, type TradeRequest } from '@/lib/api';

import { portfolioKeys } from './keys';

/** A quote is a price at one moment: refresh it while it is on screen, like a real swap screen does. */
export const QUOTE_REFRESH_MS = 15_000;

/** POST /api/portfolio/quote for `request`; idle while there is no valid request. */
export function quoteQueryOptions(request: TradeRequest | null) {
  return queryOptions({
    queryKey: request ? portfolioKeys.quote(request) : [...portfolioKeys.quotes(), null],
    queryFn: request ? ({ signal }) => fetchQuote(request, signal) : skipToken,
    staleTime: 5_000,
    refetchInterval: QUOTE_REFRESH_MS,
    // Keep the last breakdown on screen (dimmed) while the next amount is quoted.
    placeholderData: keepPreviousData,
  });
}

export function useQuote(request: TradeRequest | null) {
  return useQuery(quoteQueryOptions(request));
}
