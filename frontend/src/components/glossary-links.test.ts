import { describe, expect, it } from 'vitest';

import { createGlossaryMatcher, type GlossaryLink } from './glossary-links';

const LINKS: GlossaryLink[] = [
  { id: 'gas', term: 'gas' },
  { id: 'gas-fee', term: 'gas fee', aliases: ['network fee'] },
  { id: 'token', term: 'token' },
  { id: 'seed-phrase', term: 'seed phrase', aliases: ['recovery phrase'] },
  { id: 'chain', term: 'chain' },
  { id: 'cryptocurrency', term: 'cryptocurrency', aliases: ['crypto'] },
];

function terms(text: string, firstOnly = true) {
  return createGlossaryMatcher(LINKS)
    .split(text, { firstOnly })
    .flatMap((segment) => (segment.kind === 'term' ? [`${segment.text}=${segment.link.id}`] : []));
}

describe('createGlossaryMatcher', () => {
  it('keeps every character of the text, in order', () => {
    const text = 'Your seed phrase pays no gas. Tokens move!';
    const segments = createGlossaryMatcher(LINKS).split(text);
    expect(segments.map((segment) => segment.text).join('')).toBe(text);
  });

  it('prefers the longest name at a place and matches any case', () => {
    expect(terms('The Gas Fee is paid in ETH; gas is work.')).toEqual(['Gas Fee=gas-fee', 'gas=gas']);
  });

  it('finds aliases and simple plurals, and links each term once by default', () => {
    expect(terms('Crypto tokens: a token, a recovery phrase.')).toEqual([
      'Crypto=cryptocurrency',
      'tokens=token',
      'recovery phrase=seed-phrase',
    ]);
    expect(terms('token token', false)).toEqual(['token=token', 'token=token']);
  });

  it('matches whole words only, not parts of words or hyphenated words', () => {
    expect(terms('Gasoline, on-chain, tokenomics and blockchain.')).toEqual([]);
  });

  it('matches a name split across a line break', () => {
    expect(terms('Write your seed\nphrase down.')).toEqual(['seed\nphrase=seed-phrase']);
  });

  it('treats regular-expression characters in names as plain text', () => {
    const matcher = createGlossaryMatcher([
      { id: 'x', term: 'c++ (lang)' },
      { id: 'dot', term: 'a.b' },
    ]);
    const found = matcher.split('I like c++ (lang) but not axb.').filter((s) => s.kind === 'term');
    expect(found.map((s) => s.text)).toEqual(['c++ (lang)']);
  });

  it('returns the text alone when there are no terms', () => {
    expect(createGlossaryMatcher([]).split('hello')).toEqual([{ kind: 'text', text: 'hello' }]);
    expect(createGlossaryMatcher([]).split('')).toEqual([]);
  });
});
