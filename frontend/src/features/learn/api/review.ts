import { queryOptions, useQuery } from '@tanstack/react-query';

import { fetchReviewQueue } from '@/lib/api';

import { learnKeys } from './keys';

/** How many due cards one review session takes. */
export const REVIEW_SESSION_SIZE = 20;

/** GET /api/learn/review: the cards due now, oldest first. */
export const reviewQueryOptions = queryOptions({
  queryKey: learnKeys.review(),
  queryFn: ({ signal }) => fetchReviewQueue(REVIEW_SESSION_SIZE, signal),
  // A session works through the list it started with; refocusing the tab must not reshuffle it.
  refetchOnWindowFocus: false,
  // Opening the review always starts from the server's list, never from an old session's copy.
  refetchOnMount: 'always',
});

export function useReviewQueue() {
  return useQuery(reviewQueryOptions);
}
