import { queryOptions, useQuery } from '@tanstack/react-query';

import { fetchTokens } from '@/lib/api';

import { learnKeys } from './keys';

/**
 * A lesson's "try it" names a token by symbol. The lesson API gives its address when it knows it;
 * otherwise we look the symbol up in the token list (GET /api/tokens?q=), exact symbol only, so a
 * look-alike token is never opened by mistake. Null when no listed token has that symbol.
 */
export function tokenAddressQueryOptions(symbol: string) {
  return queryOptions({
    queryKey: learnKeys.tokenAddress(symbol),
    queryFn: async ({ signal }) => {
      const page = await fetchTokens({ sort: 'liquidity', limit: 20, q: symbol }, signal);
      const wanted = symbol.toUpperCase();
      return page.items.find((token) => token.symbol.toUpperCase() === wanted)?.address ?? null;
    },
    staleTime: 10 * 60_000,
  });
}

export function useTokenAddress(symbol: string | null | undefined, knownAddress: string | null | undefined) {
  const lookup = useQuery({ ...tokenAddressQueryOptions(symbol ?? ''), enabled: !knownAddress && !!symbol });
  return knownAddress ?? lookup.data ?? null;
}
