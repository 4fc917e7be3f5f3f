import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';

import { fetchTokens } from '@/lib/api';

import { marketKeys } from './keys';
import { buildTokensQuery, type TokenListParams } from './params';

/** GET /api/tokens, one page per cursor. Live prices arrive over the socket, not by refetching. */
export function tokensQueryOptions(params: TokenListParams) {
  return infiniteQueryOptions({
    queryKey: marketKeys.tokenList(params),
    queryFn: ({ pageParam, signal }) => fetchTokens(buildTokensQuery(params, pageParam), signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.next_cursor,
    // Prices stay fresh through `prices` ticks; the list itself (order, new tokens) changes slowly.
    staleTime: 60_000,
    // While a new search or sort loads, keep showing the old list (dimmed) instead of a skeleton.
    placeholderData: (previous) => previous,
  });
}

export function useTokens(params: TokenListParams) {
  return useInfiniteQuery(tokensQueryOptions(params));
}
