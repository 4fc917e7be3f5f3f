import { describe, expect, it } from 'vitest';

import { xpBreakdown } from './xp';

describe('xpBreakdown', () => {
  it('sums items per reason in a fixed order', () => {
    expect(
      xpBreakdown([
        { reason: 'correct_answer', amount: 10, detail: 'q1' },
        { reason: 'streak_bonus', amount: 5, detail: '2026-11-26' },
        { reason: 'correct_answer', amount: 10, detail: 'q2' },
        { reason: 'first_try_bonus', amount: 15, detail: null },
      ]),
    ).toEqual([
      { reason: 'correct_answer', label: 'Right answers', amount: 20, count: 2 },
      { reason: 'first_try_bonus', label: 'First-try bonus', amount: 15, count: 1 },
      { reason: 'streak_bonus', label: 'Daily streak bonus', amount: 5, count: 1 },
    ]);
    expect(xpBreakdown([])).toEqual([]);
  });
});
