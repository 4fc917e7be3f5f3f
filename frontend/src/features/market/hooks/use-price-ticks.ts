import { useEffect } from 'react';
import { type InfiniteData, useQueryClient } from '@tanstack/react-query';

import { realtime } from '@/lib/realtime';
import { type TokenDetail, type TokenPage } from '@/lib/api';

import { marketKeys } from '../api/keys';
import { applyTick, mergeTicksIntoPages, parsePricesFrame } from '../api/ticks';

export const PRICES_CHANNEL = 'prices';

/**
 * While mounted, `prices` ticks are written into every cached token list (and any cached token
 * detail) instead of refetching: one frame a second would otherwise be one request a second.
 */
export function usePriceTicks(): void {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      realtime.subscribe(PRICES_CHANNEL, (data) => {
        const ticks = parsePricesFrame(data);
        if (ticks.length === 0) return;
        queryClient.setQueriesData<InfiniteData<TokenPage, string | null>>(
          { queryKey: marketKeys.tokenLists() },
          (pages) => mergeTicksIntoPages(pages, ticks),
        );
        for (const tick of ticks) {
          queryClient.setQueryData<TokenDetail>(marketKeys.token(tick.address), (token) =>
            token ? applyTick(token, tick) : token,
          );
        }
      }),
    [queryClient],
  );
}
