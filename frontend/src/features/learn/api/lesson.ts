import { queryOptions, useQuery } from '@tanstack/react-query';

import { fetchLesson } from '@/lib/api';

import { learnKeys } from './keys';

/** GET /api/learn/lessons/{id}: cards, quiz questions (no answers) and the caller's progress. */
export function lessonQueryOptions(lessonId: string) {
  return queryOptions({
    queryKey: learnKeys.lesson(lessonId),
    queryFn: ({ signal }) => fetchLesson(lessonId, signal),
  });
}

export function useLesson(lessonId: string, options: { refetchOnMount?: boolean | 'always' } = {}) {
  return useQuery({ ...lessonQueryOptions(lessonId), ...options });
}
