import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import * as api from '@/lib/api';
import { renderWithProviders } from '@/test/render';

import { QuizFlow } from './quiz-flow';

vi.mock('@/lib/api', async (importOriginal) => ({
  ...(await importOriginal<typeof api>()),
  answerQuiz: vi.fn(),
}));

const ATTEMPT = '00000000-0000-4000-8000-00000000000a';
const streak = { current: 1, longest: 1, today_done: true, today: '2026-11-26', time_zone: 'UTC' };

const lesson = {
  id: 'basics',
  path_id: 'crypto-basics',
  title: 'What money is',
  next_lesson: { id: 'next', title: 'Blockchains', path_id: 'crypto-basics' },
  quiz: [
    {
      id: 'q1',
      kind: 'multiple',
      prompt: 'Jobs of money?',
      topic: 'money',
      options: [
        { id: 'a', text: 'Save' },
        { id: 'b', text: 'Trade' },
        { id: 'c', text: 'Always go up' },
      ],
    },
    {
      id: 'q2',
      kind: 'true_false',
      prompt: 'Dollars are mostly numbers in banks.',
      topic: 'fiat',
      options: [
        { id: 'true', text: 'True' },
        { id: 'false', text: 'False' },
      ],
    },
  ],
  progress: { completed: true, best_score_pct: null, attempts: 0, open_attempt_id: null, answered_question_ids: [] },
} as unknown as api.Lesson;

function graded(questionId: string, chosen: string[], right: string[], finished: boolean): api.QuizResponse {
  const question = lesson.quiz.find((q) => q.id === questionId)!;
  const correct = chosen.length === right.length && chosen.every((id) => right.includes(id));
  return {
    attempt_id: ATTEMPT,
    lesson_id: lesson.id,
    attempt_number: 1,
    answered: finished ? 2 : 1,
    total: 2,
    finished,
    graded: [
      {
        question_id: questionId,
        correct,
        chosen_option_ids: chosen,
        correct_option_ids: right,
        options: question.options.map((o) => ({
          ...o,
          correct: right.includes(o.id),
          chosen: chosen.includes(o.id),
          explanation: `Why ${o.text}`,
        })),
      },
    ],
    result: finished
      ? {
          score_pct: 50,
          correct: 1,
          total: 2,
          passed: false,
          first_try: true,
          xp: { total: 10, items: [{ reason: 'correct_answer', amount: 10, detail: 'q2' }] },
        }
      : null,
    xp_earned: { total: 0, items: [] },
    new_badges: [],
    streak,
  };
}

describe('QuizFlow', () => {
  it('sends each answer alone, continues the same attempt, explains, and ends with the results', async () => {
    const answer = vi.mocked(api.answerQuiz);
    answer.mockResolvedValueOnce(graded('q1', ['a'], ['a', 'b'], false));
    answer.mockResolvedValueOnce(graded('q2', ['true'], ['true'], true));
    renderWithProviders(<QuizFlow lesson={lesson} completion={null} />);

    await userEvent.click(screen.getByLabelText('Save'));
    await userEvent.click(screen.getByRole('button', { name: 'Check my answer' }));
    expect(answer).toHaveBeenLastCalledWith(
      'basics',
      expect.objectContaining({ attempt_id: null, answers: [{ question_id: 'q1', option_ids: ['a'] }] }),
    );
    expect(await screen.findByText('Not quite.')).toBeInTheDocument();
    expect(screen.getByText('Why Trade')).toBeInTheDocument();
    expect(screen.queryByText('Why Always go up')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Save')).toBeDisabled();

    await userEvent.click(screen.getByRole('button', { name: 'Next question' }));
    await userEvent.click(screen.getByLabelText('True'));
    await userEvent.click(screen.getByRole('button', { name: 'Check my answer' }));
    expect(answer).toHaveBeenLastCalledWith(
      'basics',
      expect.objectContaining({ attempt_id: ATTEMPT, answers: [{ question_id: 'q2', option_ids: ['true'] }] }),
    );
    await userEvent.click(await screen.findByRole('button', { name: 'See my results' }));
    expect(screen.getByTestId('quiz-score')).toHaveTextContent('1 of 2 right');
    expect(screen.getByTestId('xp-earned')).toHaveTextContent('+10 XP');
    expect(screen.getByText(/question you missed comes back in your daily review/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /Next lesson: Blockchains/ })).toHaveAttribute(
      'href',
      '/learn/lessons/next',
    );
  });

  it('offers a fresh start when the attempt was finished in another window (409)', async () => {
    vi.mocked(api.answerQuiz).mockRejectedValueOnce(new api.ApiError(409, 'AttemptFinished', 'finished'));
    const resumed = {
      ...lesson,
      progress: { ...lesson.progress, open_attempt_id: ATTEMPT, answered_question_ids: [] },
    };
    renderWithProviders(<QuizFlow lesson={resumed} completion={null} />);
    await userEvent.click(screen.getByLabelText('Save'));
    await userEvent.click(screen.getByRole('button', { name: 'Check my answer' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Start the quiz again' }));
    vi.mocked(api.answerQuiz).mockResolvedValueOnce(graded('q1', ['a', 'b'], ['a', 'b'], false));
    await userEvent.click(screen.getByLabelText('Save'));
    await userEvent.click(screen.getByLabelText('Trade'));
    await userEvent.click(screen.getByRole('button', { name: 'Check my answer' }));
    expect(api.answerQuiz).toHaveBeenLastCalledWith('basics', expect.objectContaining({ attempt_id: null }));
    expect(await screen.findByText('Right!')).toBeInTheDocument();
  });
});
