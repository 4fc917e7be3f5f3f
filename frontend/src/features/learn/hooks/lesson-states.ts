import { type LessonSummary } from '@/lib/api';

/**
 * How a lesson shows in its path: done; the next one to take (the first not done whose earlier
 * lessons are done); open (ready, but not the suggested next one); or locked (it builds on a lesson
 * not done yet). Locked is advice, not a wall: the lesson still opens and says what to read first.
 */
export type LessonState = 'done' | 'next' | 'open' | 'locked';

export function lessonStates(lessons: readonly LessonSummary[]): LessonState[] {
  let nextGiven = false;
  return lessons.map((lesson) => {
    if (lesson.completed) return 'done';
    if (!lesson.prerequisites_met) return 'locked';
    if (nextGiven) return 'open';
    nextGiven = true;
    return 'next';
  });
}

/** The lesson to suggest in a path: its `next`, else (all done or all locked) none. */
export function nextLessonOf(lessons: readonly LessonSummary[]): LessonSummary | undefined {
  const states = lessonStates(lessons);
  return lessons[states.indexOf('next')];
}

export const LESSON_STATE_LABEL: Record<LessonState, string> = {
  done: 'Done',
  next: 'Up next',
  open: 'Ready',
  locked: 'Locked',
};
