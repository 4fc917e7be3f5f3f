import { type Badge, type GradedAnswer, type Lesson, type QuizQuestion, type QuizResponse } from '@/lib/api';

/**
 * The quiz flow as a pure reducer: one question at a time, each answer graded by the server
 * before the next question shows. Kept apart from React so its rules are tested directly.
 */
export type QuizPhase = 'answering' | 'feedback' | 'finished';

export interface QuizState {
  /** Questions this visit asks, in lesson order (an attempt resumed after a reload skips answered ones). */
  questions: QuizQuestion[];
  index: number;
  attemptId: string | null;
  /** Answered in an earlier visit of the same attempt: they count, they are not asked again. */
  answeredBefore: number;
  selection: string[];
  feedback: GradedAnswer | null;
  phase: QuizPhase;
  result: QuizResponse['result'];
  /** The server's answer to the latest request (XP, badges and streak after it). */
  last: QuizResponse | null;
  newBadges: Badge[];
  wrongQuestionIds: string[];
}

export type QuizAction =
  | { type: 'select'; optionId: string }
  | { type: 'graded'; response: QuizResponse }
  | { type: 'next' }
  | { type: 'restart'; lesson: Lesson };

/** A quiz over `lesson`; with `resume`, an open attempt continues (its answered questions are skipped). */
export function startQuiz(lesson: Lesson, { resume = true }: { resume?: boolean } = {}): QuizState {
  const openAttempt = resume ? lesson.progress.open_attempt_id : null;
  const skip = new Set(openAttempt ? lesson.progress.answered_question_ids : []);
  const questions = lesson.quiz.filter((question) => !skip.has(question.id));
  return {
    questions,
    index: 0,
    attemptId: openAttempt ?? null,
    answeredBefore: lesson.quiz.length - questions.length,
    selection: [],
    feedback: null,
    phase: 'answering',
    result: null,
    last: null,
    newBadges: [],
    wrongQuestionIds: [],
  };
}

export function currentQuestion(state: QuizState): QuizQuestion | undefined {
  return state.questions[state.index];
}

/** One option for single choice and true/false (a tap replaces it); any number for multiple choice. */
function toggle(question: QuizQuestion, selection: string[], optionId: string): string[] {
  if (!question.options.some((option) => option.id === optionId)) return selection;
  if (question.kind !== 'multiple') return [optionId];
  return selection.includes(optionId) ? selection.filter((id) => id !== optionId) : [...selection, optionId];
}

function mergeBadges(known: Badge[], more: Badge[]): Badge[] {
  const ids = new Set(known.map((badge) => badge.id));
  return [...known, ...more.filter((badge) => !ids.has(badge.id))];
}

function graded(state: QuizState, response: QuizResponse): QuizState {
  const question = currentQuestion(state);
  const feedback = response.graded.find((answer) => answer.question_id === question?.id) ?? null;
  return {
    ...state,
    attemptId: response.attempt_id,
    feedback,
    phase: 'feedback',
    result: response.result ?? state.result,
    last: response,
    newBadges: mergeBadges(state.newBadges, response.new_badges),
    wrongQuestionIds:
      feedback && !feedback.correct ? [...state.wrongQuestionIds, feedback.question_id] : state.wrongQuestionIds,
  };
}

function next(state: QuizState): QuizState {
  const atEnd = state.index + 1 >= state.questions.length;
  if (state.result || atEnd) return { ...state, phase: 'finished', feedback: null, selection: [] };
  return { ...state, index: state.index + 1, phase: 'answering', feedback: null, selection: [] };
}

export function quizReducer(state: QuizState, action: QuizAction): QuizState {
  switch (action.type) {
    case 'select': {
      const question = currentQuestion(state);
      if (state.phase !== 'answering' || !question) return state;
      return { ...state, selection: toggle(question, state.selection, action.optionId) };
    }
    case 'graded':
      return state.phase === 'answering' ? graded(state, action.response) : state;
    case 'next':
      return state.phase === 'feedback' ? next(state) : state;
    case 'restart':
      return startQuiz(action.lesson, { resume: false });
  }
}
