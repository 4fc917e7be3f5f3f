import { queryOptions, useQuery } from '@tanstack/react-query';

import { fetchLearnRecommendations } from '@/lib/api';

import { learnKeys } from './keys';

/** GET /api/learn/recommendations: next lesson, weak topics and hints after practice trades. */
export const recommendationsQueryOptions = queryOptions({
  queryKey: learnKeys.recommendations(),
  queryFn: async ({ signal }) => (await fetchLearnRecommendations(signal)).items,
});

export function useRecommendations() {
  return useQuery(recommendationsQueryOptions);
}
