import { useMutation, useQueryClient } from '@tanstack/react-query';

import { answerQuiz, type QuizResponse } from '@/lib/api';

import { learnKeys } from './keys';
import { localTimeZone } from './time-zone';

export interface QuizAnswer {
  lessonId: string;
  /** Null starts a new attempt; the response carries its id for the next answers. */
  attemptId: string | null;
  questionId: string;
  optionIds: string[];
}

/**
 * POST /api/learn/lessons/{id}/quiz with one answer, graded at once. The caller's progress is
 * refetched only when the attempt finishes: mid-quiz refetches would only cost requests.
 */
export function useAnswerQuiz() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ lessonId, attemptId, questionId, optionIds }: QuizAnswer) =>
      answerQuiz(lessonId, {
        attempt_id: attemptId,
        answers: [{ question_id: questionId, option_ids: optionIds }],
        time_zone: localTimeZone(),
      }),
    onSuccess: (response: QuizResponse) => {
      if (response.finished) void queryClient.invalidateQueries({ queryKey: learnKeys.mine() });
    },
  });
}
