import { describe, expect, it } from 'vitest';

import { tryItHref } from './try-it';

const ADDRESS = '0x4200000000000000000000000000000000000006';

describe('tryItHref', () => {
  it('asks the tutor the lesson question', () => {
    expect(tryItHref({ kind: 'ask', label: 'Ask', prompt: 'Why trust money?' }, null)).toBe(
      '/chat?q=Why%20trust%20money%3F',
    );
  });

  it('opens the token page or a practice trade for the token address', () => {
    expect(tryItHref({ kind: 'token', label: 'Look', symbol: 'WETH' }, ADDRESS)).toBe(`/market/${ADDRESS}`);
    expect(tryItHref({ kind: 'trade', label: 'Trade', symbol: 'WETH' }, ADDRESS)).toBe(`/portfolio?token=${ADDRESS}`);
  });

  it('searches the market for the symbol when no address is known', () => {
    expect(tryItHref({ kind: 'trade', label: 'Trade', symbol: 'AERO' }, null)).toBe('/market?q=AERO');
  });
});
