import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';

import { realtime } from '@/lib/realtime';
import { type CandlesResponse, type TokenDetail } from '@/lib/api';

import { marketKeys } from '../api/keys';
import { type Timeframe, timeframeSeconds } from '../api/params';
import { applyTick, mergeLiveCandle, parseTokenFrame } from '../api/ticks';

export function tokenChannel(address: string): string {
  return `token:${address.toLowerCase()}`;
}

/**
 * While mounted, the `token:<address>` channel keeps the token's price and the forming candle of
 * the shown timeframe current, in the same query cache the page reads.
 */
export function useTokenStream(address: string, timeframe: Timeframe): void {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      realtime.subscribe(tokenChannel(address), (data) => {
        const { tick, candle } = parseTokenFrame(data);
        if (tick) {
          queryClient.setQueryData<TokenDetail>(marketKeys.token(address), (token) =>
            token ? applyTick(token, tick) : token,
          );
        }
        if (candle?.tf === '1m') {
          queryClient.setQueryData<CandlesResponse>(marketKeys.candles(address, timeframe), (current) => {
            if (!current) return current;
            const candles = mergeLiveCandle(current.candles, candle, timeframeSeconds(timeframe));
            return candles === current.candles ? current : { ...current, candles };
          });
        }
      }),
    [queryClient, address, timeframe],
  );
}
