import { describe, expect, it } from 'vitest';

import { buildTokensQuery, MAX_QUERY_LENGTH, normalizeQuery, parseSort } from './params';

describe('parseSort', () => {
  it('accepts known sorts and falls back to trending', () => {
    expect(parseSort('gainers')).toBe('gainers');
    expect(parseSort('new')).toBe('new');
    expect(parseSort(null)).toBe('trending');
    expect(parseSort('cheapest')).toBe('trending');
  });
});

describe('normalizeQuery', () => {
  it('trims, drops empty text and bounds the length', () => {
    expect(normalizeQuery('  aero ')).toBe('aero');
    expect(normalizeQuery('   ')).toBeUndefined();
    expect(normalizeQuery(null)).toBeUndefined();
    expect(normalizeQuery('x'.repeat(200))).toHaveLength(MAX_QUERY_LENGTH);
  });
});

describe('buildTokensQuery', () => {
  it('sends sort and limit, and leaves out an empty search and a missing cursor', () => {
    expect(buildTokensQuery({ sort: 'volume', q: '  ' })).toEqual({ sort: 'volume', limit: 50 });
    expect(buildTokensQuery({ sort: 'trending' }, null)).toEqual({ sort: 'trending', limit: 50 });
  });

  it('adds search text and the cursor of the next page', () => {
    expect(buildTokensQuery({ sort: 'losers', q: ' usdc ' }, 'abc', 20)).toEqual({
      sort: 'losers',
      q: 'usdc',
      cursor: 'abc',
      limit: 20,
    });
  });
});
