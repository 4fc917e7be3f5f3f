import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';

import { type Portfolio } from '@/lib/api';
import { PRICES_CHANNEL, parseLivePrices } from '@/lib/price-ticks';
import { realtime, useConnectionState } from '@/lib/realtime';

import { portfolioKeys } from '../api/keys';
import { type LivePrices, mergeLivePrices, revalue } from '../api/revalue';

const NO_PRICES: LivePrices = new Map();

/**
 * The portfolio valued at the live prices of the `prices` channel (one frame a second), so value
 * and P&L move with the market between the periodic refetches.
 */
export function useLivePortfolio(portfolio: Portfolio | undefined): Portfolio | undefined {
  const [prices, setPrices] = useState<LivePrices>(NO_PRICES);
  useEffect(
    () =>
      realtime.subscribe(PRICES_CHANNEL, (data) => {
        const ticks = parseLivePrices(data);
        if (ticks.length > 0) setPrices((current) => mergeLivePrices(current, ticks));
      }),
    [],
  );
  return portfolio ? revalue(portfolio, prices) : undefined;
}

/**
 * Fills and resets made in another tab or device arrive on `portfolio:<user id>`: refetch the
 * portfolio and its history when one does.
 */
export function usePortfolioEvents(): void {
  const queryClient = useQueryClient();
  const connected = useConnectionState() === 'connected';
  const userId = connected ? realtime.userId : null;
  useEffect(() => {
    if (!userId) return;
    return realtime.subscribe(`portfolio:${userId}`, () => {
      void queryClient.invalidateQueries({ queryKey: portfolioKeys.mine() });
    });
  }, [queryClient, userId]);
}
