import { useMutation, useQueryClient } from '@tanstack/react-query';

import { completeLesson } from '@/lib/api';

import { learnKeys } from './keys';
import { localTimeZone } from './time-zone';

/** POST /api/learn/lessons/{id}/complete; XP, streak and path progress change, so `mine` refetches. */
export function useCompleteLesson() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (lessonId: string) => completeLesson(lessonId, localTimeZone()),
    onSettled: () => queryClient.invalidateQueries({ queryKey: learnKeys.mine() }),
  });
}
