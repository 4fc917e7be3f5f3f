import { queryOptions, useQuery } from '@tanstack/react-query';

import { fetchLearnLeaderboard } from '@/lib/api';

import { learnKeys } from './keys';

export type LeaderboardPeriod = 'week' | 'all';

/** GET /api/learn/leaderboard: XP ranking (no guest ids, only display names) and the caller's rank. */
export function leaderboardQueryOptions(period: LeaderboardPeriod) {
  return queryOptions({
    queryKey: learnKeys.leaderboard(period),
    queryFn: ({ signal }) => fetchLearnLeaderboard({ period, limit: 20 }, signal),
  });
}

export function useLeaderboard(period: LeaderboardPeriod) {
  return useQuery(leaderboardQueryOptions(period));
}
