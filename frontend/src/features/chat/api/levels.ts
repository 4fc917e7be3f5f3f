import { type ReadingLevel } from '@/lib/api';

export const LEVEL_LABELS: Record<ReadingLevel, string> = { eli5: 'ELI5', simple: 'Simple', pro: 'Pro' };

export const LEVEL_OPTIONS: readonly { value: ReadingLevel; label: string }[] = [
  { value: 'eli5', label: LEVEL_LABELS.eli5 },
  { value: 'simple', label: LEVEL_LABELS.simple },
  { value: 'pro', label: LEVEL_LABELS.pro },
];

/** What each level means, said once under the toggle. */
export const LEVEL_HINTS: Record<ReadingLevel, string> = {
  eli5: 'Like you are five: tiny words, short sentences.',
  simple: 'Plain words, a little more detail.',
  pro: 'The full picture, with the proper terms.',
};
