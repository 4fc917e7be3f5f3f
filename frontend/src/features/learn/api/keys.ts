/**
 * Query keys of the learn feature. Everything under `mine` is the caller's progress and changes
 * after a lesson, a quiz answer or a review; the glossary is the same for everyone.
 */
export const learnKeys = {
  all: ['learn'] as const,
  mine: () => ['learn', 'mine'] as const,
  paths: () => ['learn', 'mine', 'paths'] as const,
  lesson: (lessonId: string) => ['learn', 'mine', 'lesson', lessonId] as const,
  progress: () => ['learn', 'mine', 'progress'] as const,
  review: () => ['learn', 'mine', 'review'] as const,
  recommendations: () => ['learn', 'mine', 'recommendations'] as const,
  leaderboard: (period: 'week' | 'all') => ['learn', 'mine', 'leaderboard', period] as const,
  glossaryIndex: () => ['learn', 'glossary', 'index'] as const,
  tokenAddress: (symbol: string) => ['learn', 'token-address', symbol.toUpperCase()] as const,
};
