import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import { type EquityPoint, type EquityRange, fetchEquity } from '@/lib/api';

import { portfolioKeys } from './keys';

export const EQUITY_REFRESH_MS = 30_000;

export function equityQueryOptions(range: EquityRange) {
  return queryOptions({
    queryKey: portfolioKeys.equity(range),
    queryFn: ({ signal }) => fetchEquity(range, signal),
    staleTime: 10_000,
    refetchInterval: EQUITY_REFRESH_MS,
    placeholderData: keepPreviousData,
  });
}

export function useEquity(range: EquityRange) {
  return useQuery(equityQueryOptions(range));
}

export interface LinePoint {
  /** Unix seconds, strictly increasing. */
  time: number;
  value: number;
}

/**
 * Chart points from the API's equity points: seconds, oldest first, one point per second (the last
 * one of that second wins: the chart library needs strictly increasing times).
 */
export function equityLine(points: readonly EquityPoint[]): LinePoint[] {
  const line: LinePoint[] = [];
  for (const point of points) {
    const time = Math.floor(Date.parse(point.t) / 1000);
    const value = Number(point.total_value_usd);
    if (!Number.isFinite(time) || !Number.isFinite(value)) continue;
    const last = line.at(-1);
    if (last && time < last.time) continue;
    if (last?.time === time) last.value = value;
    else line.push({ time, value });
  }
  return line;
}

/** The change over the range shown: first to last point, in dollars and percent. */
export function equityChange(line: readonly LinePoint[]): { usd: number; pct: number } | null {
  const first = line[0];
  const last = line.at(-1);
  if (!first || !last || first.value <= 0) return null;
  return { usd: last.value - first.value, pct: ((last.value - first.value) / first.value) * 100 };
}
