import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import { fetchTradingLeaderboard, type LeaderboardPeriod } from '@/lib/api';

import { portfolioKeys } from './keys';

export function leaderboardQueryOptions(period: LeaderboardPeriod) {
  return queryOptions({
    queryKey: portfolioKeys.leaderboard(period),
    queryFn: ({ signal }) => fetchTradingLeaderboard(period, signal),
    staleTime: 15_000,
    refetchInterval: 60_000,
    placeholderData: keepPreviousData,
  });
}

export function useTradingLeaderboard(period: LeaderboardPeriod) {
  return useQuery(leaderboardQueryOptions(period));
}
