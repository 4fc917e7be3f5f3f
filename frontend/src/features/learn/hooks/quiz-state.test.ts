import { describe, expect, it } from 'vitest';

import { type GradedAnswer, type Lesson, type QuizQuestion, type QuizResponse } from '@/lib/api';

import { currentQuestion, quizReducer, startQuiz, type QuizState } from './quiz-state';

const QUESTIONS: QuizQuestion[] = [
  { id: 'q1', kind: 'single', prompt: 'One?', topic: 't', options: ['a', 'b', 'c'].map((id) => ({ id, text: id })) },
  { id: 'q2', kind: 'multiple', prompt: 'Two?', topic: 't', options: ['a', 'b', 'c'].map((id) => ({ id, text: id })) },
  {
    id: 'q3',
    kind: 'true_false',
    prompt: 'Three?',
    topic: 't',
    options: [
      { id: 'true', text: 'True' },
      { id: 'false', text: 'False' },
    ],
  },
];

function lesson(progress: Partial<Lesson['progress']> = {}): Lesson {
  return {
    quiz: QUESTIONS,
    progress: {
      completed: true,
      best_score_pct: null,
      attempts: 0,
      open_attempt_id: null,
      answered_question_ids: [],
      ...progress,
    },
  } as Lesson;
}

function gradedAnswer(questionId: string, correct: boolean): GradedAnswer {
  return { question_id: questionId, correct, chosen_option_ids: ['a'], correct_option_ids: ['a'], options: [] };
}

function response(questionId: string, correct: boolean, finished = false): QuizResponse {
  const badge = { id: 'first-lesson', title: 'First', description: '', earned: true, earned_at: null } as const;
  return {
    attempt_id: 'attempt-1',
    lesson_id: 'l',
    attempt_number: 1,
    graded: [gradedAnswer(questionId, correct)],
    answered: 1,
    total: 3,
    finished,
    result: finished
      ? { score_pct: 67, correct: 2, total: 3, passed: true, first_try: true, xp: { total: 20, items: [] } }
      : null,
    xp_earned: { total: 0, items: [] },
    new_badges: [badge],
    streak: { current: 1, longest: 1, today_done: true, today: '2026-11-26', time_zone: 'UTC' },
  };
}

function run(state: QuizState, ...actions: Parameters<typeof quizReducer>[1][]): QuizState {
  return actions.reduce(quizReducer, state);
}

describe('quiz state', () => {
  it('keeps one option for single choice and toggles options for multiple choice', () => {
    let state = startQuiz(lesson());
    state = run(state, { type: 'select', optionId: 'a' }, { type: 'select', optionId: 'b' });
    expect(state.selection).toEqual(['b']);
    state = run(state, { type: 'graded', response: response('q1', true) }, { type: 'next' });
    expect(currentQuestion(state)?.id).toBe('q2');
    state = run(
      state,
      { type: 'select', optionId: 'a' },
      { type: 'select', optionId: 'c' },
      { type: 'select', optionId: 'a' },
    );
    expect(state.selection).toEqual(['c']);
  });

  it('ignores options the question does not have, and changes after grading', () => {
    let state = run(startQuiz(lesson()), { type: 'select', optionId: 'zzz' });
    expect(state.selection).toEqual([]);
    state = run(state, { type: 'select', optionId: 'a' }, { type: 'graded', response: response('q1', false) });
    expect(run(state, { type: 'select', optionId: 'b' }).selection).toEqual(['a']);
  });

  it('shows feedback after each answer, keeps the attempt id and remembers wrong answers', () => {
    let state = run(
      startQuiz(lesson()),
      { type: 'select', optionId: 'b' },
      {
        type: 'graded',
        response: response('q1', false),
      },
    );
    expect(state.phase).toBe('feedback');
    expect(state.feedback?.correct).toBe(false);
    expect(state.attemptId).toBe('attempt-1');
    expect(state.wrongQuestionIds).toEqual(['q1']);
    state = run(state, { type: 'next' });
    expect(state.phase).toBe('answering');
    expect(state.feedback).toBeNull();
    expect(state.selection).toEqual([]);
  });

  it('finishes after the last question with the result, badges counted once', () => {
    const state = run(
      startQuiz(lesson()),
      { type: 'graded', response: response('q1', true) },
      { type: 'next' },
      { type: 'graded', response: response('q2', false) },
      { type: 'next' },
      { type: 'graded', response: response('q3', true, true) },
    );
    expect(state.phase).toBe('feedback');
    const done = run(state, { type: 'next' });
    expect(done.phase).toBe('finished');
    expect(done.result?.score_pct).toBe(67);
    expect(done.newBadges.map((badge) => badge.id)).toEqual(['first-lesson']);
  });

  it('continues an open attempt without asking its answered questions again', () => {
    const state = startQuiz(lesson({ open_attempt_id: 'open-1', answered_question_ids: ['q1'] }));
    expect(state.attemptId).toBe('open-1');
    expect(state.answeredBefore).toBe(1);
    expect(state.questions.map((q) => q.id)).toEqual(['q2', 'q3']);
  });

  it('restarts as a new attempt with every question', () => {
    const resumed = startQuiz(lesson({ open_attempt_id: 'open-1', answered_question_ids: ['q1'] }));
    const again = run(resumed, { type: 'restart', lesson: lesson() });
    expect(again.attemptId).toBeNull();
    expect(again.questions).toHaveLength(3);
    expect(again.answeredBefore).toBe(0);
  });
});
