import { queryOptions, useQuery } from '@tanstack/react-query';

import { fetchToken } from '@/lib/api';

import { marketKeys } from './keys';

/** GET /api/tokens/{address}; the `token:<address>` channel keeps the price fresh afterwards. */
export function tokenQueryOptions(address: string) {
  return queryOptions({
    queryKey: marketKeys.token(address),
    queryFn: ({ signal }) => fetchToken(address, signal),
    staleTime: 60_000,
  });
}

export function useToken(address: string) {
  return useQuery(tokenQueryOptions(address));
}
