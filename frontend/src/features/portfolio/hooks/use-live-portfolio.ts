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

export function isValueUpdate(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { event?: unknown }).event === 'value';
}

/**
 * Fills, waiting-order events and resets (from another tab, or an order filled by a price tick)
 * arrive on `portfolio:<user id>`: refetch the portfolio, its orders and history when one does.
 */
export function usePortfolioEvents(): void {
  const queryClient = useQueryClient();
  const connected = useConnectionState() === 'connected';
  const userId = connected ? realtime.userId : null;
  useEffect(() => {
    if (!userId) return;
    return realtime.subscribe(`portfolio:${userId}`, (data) => {
      // Value updates only restate what live prices already show here; fills, orders and resets change the run.
      if (isValueUpdate(data)) return;
      void queryClient.invalidateQueries({ queryKey: portfolioKeys.mine() });
    });
  }, [queryClient, userId]);
}
