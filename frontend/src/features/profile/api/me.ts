import { queryOptions, useQuery } from '@tanstack/react-query';

import { fetchMe } from '@/lib/api';

/** The current user. Fetching it also creates the guest session on a first visit. */
export const meQueryOptions = queryOptions({
  queryKey: ['me'] as const,
  queryFn: ({ signal }) => fetchMe(signal),
  // The user changes only through sign-in or a new session, both of which invalidate this.
  staleTime: 5 * 60_000,
});

export function useMe() {
  return useQuery(meQueryOptions);
}
