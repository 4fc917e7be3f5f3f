import { useMeta } from '../api/meta';

export type MarketSource = 'simulated' | 'live' | 'unknown';

/**
 * Whether prices are real. The embedded mode runs a simulated market, and people must never
 * mistake it for live prices; until the server says, we claim neither.
 */
export function useMarketSource(): MarketSource {
  const { data } = useMeta();
  if (!data) return 'unknown';
  return data.backends.market === 'simulated' ? 'simulated' : 'live';
}
