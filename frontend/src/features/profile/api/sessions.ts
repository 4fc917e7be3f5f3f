import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { endActiveSession, fetchActiveSessions } from '@/lib/api';

/** The caller's sessions (this device and others). Scoped to the user: invalidated with the session. */
export const sessionsQueryOptions = queryOptions({
  queryKey: ['auth', 'sessions'] as const,
  queryFn: ({ signal }) => fetchActiveSessions(signal),
});

export function useActiveSessions(enabled: boolean) {
  return useQuery({ ...sessionsQueryOptions, enabled });
}

/** Ends other sessions one by one (the server has one endpoint per session). */
export function useEndSessions() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (sessionIds: readonly string[]) => {
      for (const id of sessionIds) await endActiveSession(id);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: sessionsQueryOptions.queryKey }),
  });
}
