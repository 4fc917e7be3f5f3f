import { type XpItem } from '@/lib/api';

export const XP_REASON_LABEL: Record<XpItem['reason'], string> = {
  lesson_complete: 'Lesson finished',
  correct_answer: 'Right answers',
  first_try_bonus: 'First-try bonus',
  streak_bonus: 'Daily streak bonus',
};

export interface XpLine {
  reason: XpItem['reason'];
  label: string;
  amount: number;
  count: number;
}

/** XP items summed per reason, in a fixed order, so "Right answers +30" reads as one line. */
export function xpBreakdown(items: readonly XpItem[]): XpLine[] {
  const order = Object.keys(XP_REASON_LABEL) as XpItem['reason'][];
  return order.flatMap((reason) => {
    const mine = items.filter((item) => item.reason === reason);
    if (mine.length === 0) return [];
    const amount = mine.reduce((sum, item) => sum + item.amount, 0);
    return [{ reason, label: XP_REASON_LABEL[reason], amount, count: mine.length }];
  });
}
