import { useMutation } from '@tanstack/react-query';

import { gradeReviewCard, type ReviewGrade } from '@/lib/api';

import { localTimeZone } from './time-zone';

/**
 * POST /api/learn/review/{card_id}. The queue is refetched when the session ends (see
 * ReviewSession), not after each card, so the cards on screen do not move under the learner.
 */
export function useGradeReview() {
  return useMutation({
    mutationFn: ({ cardId, grade }: { cardId: string; grade: Omit<ReviewGrade, 'time_zone'> }) =>
      gradeReviewCard(cardId, { ...grade, time_zone: localTimeZone() }),
  });
}
