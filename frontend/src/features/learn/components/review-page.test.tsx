import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '@/lib/api';
import { renderWithProviders } from '@/test/render';

import { ReviewPage } from './review-page';

vi.mock('@/lib/api', async (importOriginal) => ({
  ...(await importOriginal<typeof api>()),
  fetchReviewQueue: vi.fn(),
  gradeReviewCard: vi.fn(),
}));

const NOW = '2026-11-26T12:00:00Z';
const streak = { current: 2, longest: 2, today_done: true, today: '2026-11-26', time_zone: 'UTC' };

const termCard: api.ReviewCard = {
  id: '00000000-0000-4000-8000-000000000001',
  kind: 'term',
  due_at: NOW,
  reviews: 0,
  question: null,
  term: { id: 'seed-phrase', term: 'seed phrase', definition: 'Secret words that rebuild your wallet.' },
};

const questionCard: api.ReviewCard = {
  id: '00000000-0000-4000-8000-000000000002',
  kind: 'question',
  due_at: NOW,
  reviews: 1,
  term: null,
  question: {
    id: 'q1',
    lesson_id: 'basics',
    lesson_title: 'What money really is',
    kind: 'single',
    prompt: 'Why does money work?',
    options: [
      { id: 'a', text: 'Gold' },
      { id: 'b', text: 'Everyone agrees to take it' },
    ],
  },
};

function result(overrides: Partial<api.ReviewResult>): api.ReviewResult {
  return {
    card_id: termCard.id,
    rating: 'good',
    correct: null,
    graded: null,
    due_at: NOW,
    interval_seconds: 86_400,
    xp_earned: { total: 0, items: [] },
    new_badges: [],
    streak,
    ...overrides,
  };
}

beforeEach(() => {
  vi.mocked(api.fetchReviewQueue).mockResolvedValue({
    cards: [termCard, questionCard],
    due_count: 2,
    next_due_at: null,
  });
});

describe('ReviewPage', () => {
  it('turns a term card over, then sends the rating the learner picks', async () => {
    vi.mocked(api.gradeReviewCard).mockResolvedValue(result({}));
    renderWithProviders(<ReviewPage />);
    expect(await screen.findByRole('heading', { name: 'seed phrase' }, { timeout: 5_000 })).toBeInTheDocument();
    expect(screen.queryByText(termCard.term!.definition)).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Show the meaning' }));
    expect(screen.getByText(termCard.term!.definition)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /Hard/ }));
    expect(api.gradeReviewCard).toHaveBeenCalledWith(termCard.id, expect.objectContaining({ rating: 'hard' }));
    expect(await screen.findByText('Card 2 of 2')).toBeInTheDocument();
  });

  it('grades a question card on the server, explains it, and ends the session', async () => {
    vi.mocked(api.fetchReviewQueue).mockResolvedValue({ cards: [questionCard], due_count: 1, next_due_at: null });
    vi.mocked(api.gradeReviewCard).mockResolvedValue(
      result({
        card_id: questionCard.id,
        correct: true,
        xp_earned: { total: 5, items: [{ reason: 'correct_answer', amount: 5, detail: 'q1' }] },
        graded: {
          question_id: 'q1',
          correct: true,
          chosen_option_ids: ['b'],
          correct_option_ids: ['b'],
          options: [
            { id: 'a', text: 'Gold', correct: false, chosen: false, explanation: 'Most money is not gold.' },
            { id: 'b', text: 'Everyone agrees to take it', correct: true, chosen: true, explanation: 'Trust.' },
          ],
        },
      }),
    );
    renderWithProviders(<ReviewPage />);
    await userEvent.click(await screen.findByLabelText('Everyone agrees to take it'));
    await userEvent.click(screen.getByRole('button', { name: 'Check my answer' }));
    expect(api.gradeReviewCard).toHaveBeenCalledWith(questionCard.id, expect.objectContaining({ option_ids: ['b'] }));
    expect(await screen.findByText('Right!')).toBeInTheDocument();
    expect(screen.getByText('Trust.')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Next card' }));
    expect(await screen.findByText(/You went over 1 card and earned 5 XP/)).toBeInTheDocument();
  });

  it('says when nothing is due', async () => {
    vi.mocked(api.fetchReviewQueue).mockResolvedValue({ cards: [], due_count: 0, next_due_at: null });
    renderWithProviders(<ReviewPage />);
    expect(await screen.findByText('All caught up')).toBeInTheDocument();
  });

  it('explains a failed load and retries', async () => {
    vi.mocked(api.fetchReviewQueue)
      .mockRejectedValueOnce(new api.ApiError(0, 'NetworkError', 'offline'))
      .mockResolvedValue({ cards: [], due_count: 0, next_due_at: null });
    renderWithProviders(<ReviewPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('All caught up')).toBeInTheDocument();
  });
});
