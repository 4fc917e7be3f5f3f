import { queryOptions, useQuery } from '@tanstack/react-query';

import { fetchLearnPaths } from '@/lib/api';

import { learnKeys } from './keys';

/** GET /api/learn/paths: every path, its lessons and the caller's progress on each. */
export const pathsQueryOptions = queryOptions({
  queryKey: learnKeys.paths(),
  queryFn: ({ signal }) => fetchLearnPaths(signal),
});

export function usePaths() {
  return useQuery(pathsQueryOptions);
}
