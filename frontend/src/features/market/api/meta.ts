import { queryOptions, useQuery } from '@tanstack/react-query';

import { fetchMeta } from '@/lib/api';

/** Server version and active backends; changes only on deploy. */
export const metaQueryOptions = queryOptions({
  queryKey: ['meta'] as const,
  queryFn: ({ signal }) => fetchMeta(signal),
  staleTime: Infinity,
});

export function useMeta() {
  return useQuery(metaQueryOptions);
}
