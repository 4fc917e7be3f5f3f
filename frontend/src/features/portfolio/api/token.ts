import { queryOptions, useQuery } from '@tanstack/react-query';

import { fetchToken } from '@/lib/api';

import { portfolioKeys } from './keys';

/** The token the ticket trades (symbol, decimals, risk flags) when it is not a holding yet. */
export function ticketTokenQueryOptions(address: string) {
  return queryOptions({
    queryKey: portfolioKeys.token(address),
    queryFn: ({ signal }) => fetchToken(address, signal),
    staleTime: 60_000,
  });
}

export function useTicketToken(address: string) {
  return useQuery(ticketTokenQueryOptions(address));
}
