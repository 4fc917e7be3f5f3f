import { type CandleTimeframe, type TokenSort as ApiTokenSort } from '@/lib/api';

/** The list's sort orders, in the order the sort control shows them. */
export const TOKEN_SORTS = [
  { value: 'trending', label: 'Trending' },
  { value: 'volume', label: 'Volume' },
  { value: 'liquidity', label: 'Liquidity' },
  { value: 'gainers', label: 'Gainers' },
  { value: 'losers', label: 'Losers' },
  { value: 'new', label: 'New' },
] as const satisfies readonly { value: ApiTokenSort; label: string }[];

export type TokenSort = (typeof TOKEN_SORTS)[number]['value'];

export const DEFAULT_SORT: TokenSort = 'trending';
export const PAGE_SIZE = 50;
/** The API accepts at most this many characters of search text; longer input is cut, not sent. */
export const MAX_QUERY_LENGTH = 64;

export function isTokenSort(value: unknown): value is TokenSort {
  return TOKEN_SORTS.some((sort) => sort.value === value);
}

/** A sort from the URL; anything unknown falls back to the default instead of a 422. */
export function parseSort(value: string | null): TokenSort {
  return isTokenSort(value) ? value : DEFAULT_SORT;
}

/** Search text as the API wants it: trimmed, bounded, and absent when empty. */
export function normalizeQuery(value: string | null | undefined): string | undefined {
  const trimmed = (value ?? '').trim().slice(0, MAX_QUERY_LENGTH);
  return trimmed === '' ? undefined : trimmed;
}

export interface TokenListParams {
  sort: TokenSort;
  q?: string | undefined;
}

/** Query parameters for GET /api/tokens; empty ones are left out so cache keys stay stable. */
export function buildTokensQuery(
  { sort, q }: TokenListParams,
  cursor?: string | null,
  limit = PAGE_SIZE,
): { sort: TokenSort; limit: number; q?: string; cursor?: string } {
  const query: { sort: TokenSort; limit: number; q?: string; cursor?: string } = { sort, limit };
  const search = normalizeQuery(q);
  if (search !== undefined) query.q = search;
  if (cursor) query.cursor = cursor;
  return query;
}

/** The timeframes the chart offers (the API also has 12h, which adds little on a phone). */
export const TIMEFRAMES = ['1m', '5m', '15m', '1h', '4h', '1d'] as const satisfies readonly CandleTimeframe[];
export type Timeframe = (typeof TIMEFRAMES)[number];
export const DEFAULT_TIMEFRAME: Timeframe = '15m';

const TIMEFRAME_SECONDS: Record<Timeframe, number> = {
  '1m': 60,
  '5m': 300,
  '15m': 900,
  '1h': 3600,
  '4h': 14_400,
  '1d': 86_400,
};

export function timeframeSeconds(timeframe: Timeframe): number {
  return TIMEFRAME_SECONDS[timeframe];
}
