import { describe, expect, it } from 'vitest';

import { type LessonSummary } from '@/lib/api';

import { lessonStates, nextLessonOf } from './lesson-states';

function lesson(id: string, completed: boolean, prerequisitesMet: boolean): LessonSummary {
  return {
    id,
    title: id,
    summary: '',
    minutes: 4,
    completed,
    best_score_pct: null,
    prerequisites_met: prerequisitesMet,
  };
}

describe('lessonStates', () => {
  it('marks done lessons, the first ready one as next, later ready ones as open, the rest locked', () => {
    const lessons = [
      lesson('a', true, true),
      lesson('b', false, true),
      lesson('c', false, true),
      lesson('d', false, false),
    ];
    expect(lessonStates(lessons)).toEqual(['done', 'next', 'open', 'locked']);
    expect(nextLessonOf(lessons)?.id).toBe('b');
  });

  it('keeps a completed lesson done even when its prerequisites are not (done out of order)', () => {
    expect(lessonStates([lesson('a', false, true), lesson('b', true, false)])).toEqual(['next', 'done']);
  });

  it('has no next lesson when everything is done or locked', () => {
    expect(nextLessonOf([lesson('a', true, true)])).toBeUndefined();
    expect(nextLessonOf([lesson('a', false, false)])).toBeUndefined();
  });
});
