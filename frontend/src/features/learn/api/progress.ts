import { queryOptions, useQuery } from '@tanstack/react-query';

import { fetchLearnProgress } from '@/lib/api';

import { learnKeys } from './keys';
import { localTimeZone } from './time-zone';

/** GET /api/learn/progress in the phone's time zone: XP, level, streak, badges, reviews due. */
export const progressQueryOptions = queryOptions({
  queryKey: learnKeys.progress(),
  queryFn: ({ signal }) => fetchLearnProgress(localTimeZone(), signal),
});

export function useProgress() {
  return useQuery(progressQueryOptions);
}
