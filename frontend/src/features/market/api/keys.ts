import { type Timeframe, type TokenListParams } from './params';

/**
 * Query keys of the market feature. Addresses are lower-cased in keys so a checksummed link and a
 * lower-case channel name land on the same cache entry.
 */
export const marketKeys = {
  all: ['market'] as const,
  tokenLists: () => ['market', 'tokens'] as const,
  tokenList: (params: TokenListParams) => ['market', 'tokens', { sort: params.sort, q: params.q ?? '' }] as const,
  token: (address: string) => ['market', 'token', address.toLowerCase()] as const,
  candles: (address: string, timeframe: Timeframe) => ['market', 'candles', address.toLowerCase(), timeframe] as const,
  trades: (address: string) => ['market', 'trades', address.toLowerCase()] as const,
};
