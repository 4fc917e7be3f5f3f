import { describe, expect, it } from 'vitest';

import { type RiskFlag } from '@/lib/api';

import { splitRiskFlags } from './risk';

const flag = (code: string, level: RiskFlag['level']): RiskFlag => ({ code, level, title: code, explanation: '' });

describe('splitRiskFlags', () => {
  it('shows everything when there are two or fewer', () => {
    expect(splitRiskFlags([])).toEqual({ shown: [], hiddenCount: 0 });
    const two = [flag('a', 'warning'), flag('b', 'warning')];
    expect(splitRiskFlags(two)).toEqual({ shown: two, hiddenCount: 0 });
  });

  it('shows two and counts the rest', () => {
    const flags = [flag('a', 'warning'), flag('b', 'warning'), flag('c', 'warning'), flag('d', 'warning')];
    const { shown, hiddenCount } = splitRiskFlags(flags);
    expect(shown.map((f) => f.code)).toEqual(['a', 'b']);
    expect(hiddenCount).toBe(2);
  });

  it('puts danger flags first, keeping the server order otherwise', () => {
    const flags = [flag('a', 'warning'), flag('b', 'warning'), flag('c', 'danger')];
    expect(splitRiskFlags(flags).shown.map((f) => f.code)).toEqual(['c', 'a']);
  });
});
