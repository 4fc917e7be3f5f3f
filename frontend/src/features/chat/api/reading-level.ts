import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { fetchMe, type ReadingLevel, savePreferences, type User } from '@/lib/api';

import { ME_KEY } from './keys';

export const DEFAULT_LEVEL: ReadingLevel = 'simple';

/** The user's chosen reading level (PATCH /api/me/preferences keeps it across devices). */
export function useReadingLevel(): { level: ReadingLevel; setLevel: (level: ReadingLevel) => void } {
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: ME_KEY, queryFn: ({ signal }) => fetchMe(signal), staleTime: 5 * 60_000 });
  const save = useMutation({
    mutationFn: (level: ReadingLevel) => savePreferences({ reading_level: level }),
    // Optimistic: the toggle answers at once; a failed save puts the saved level back.
    onMutate: async (level) => {
      await queryClient.cancelQueries({ queryKey: ME_KEY });
      const previous = queryClient.getQueryData<User>(ME_KEY);
      if (previous) {
        queryClient.setQueryData<User>(ME_KEY, {
          ...previous,
          preferences: { ...previous.preferences, reading_level: level },
        });
      }
      return { previous };
    },
    onError: (_error, _level, context) => {
      if (context?.previous) queryClient.setQueryData(ME_KEY, context.previous);
    },
    onSuccess: (user) => {
      queryClient.setQueryData(ME_KEY, user);
    },
  });
  return {
    level: me.data?.preferences.reading_level ?? DEFAULT_LEVEL,
    setLevel: (level) => {
      save.mutate(level);
    },
  };
}
