/**
 * Finds glossary terms in plain text so they can be shown as tappable words. Pure and shared: the
 * lessons use it today and the chat can link its answers the same way.
 */

/** A term as the glossary names it: its id, its main name and other names people use for it. */
export interface GlossaryLink {
  id: string;
  term: string;
  aliases?: readonly string[];
}

export type GlossarySegment = { kind: 'text'; text: string } | { kind: 'term'; text: string; link: GlossaryLink };

export interface GlossaryMatcher {
  /** Splits `text` into plain runs and term runs; with `firstOnly`, each term is linked once. */
  split: (text: string, options?: { firstOnly?: boolean }) => GlossarySegment[];
}

// Letters, digits, hyphens and underscores join words: "chain" must not light up inside "on-chain".
const WORD_CHAR = String.raw`[\p{L}\p{N}_-]`;
// Plain English plurals ("tokens", "gas fees"), so a card need not use the glossary's exact form.
const PLURAL = '(?:s|es)?';

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Spaces in a name match any run of white space, so a line break inside "seed phrase" still links. */
function namePattern(name: string): string {
  return name
    .trim()
    .split(/\s+/)
    .map(escapeRegExp)
    .join(String.raw`\s+`);
}

/**
 * Builds one case-insensitive pattern for every name. Longer names come first so "gas fee" wins
 * over "gas" at the same place.
 */
export function createGlossaryMatcher(links: readonly GlossaryLink[]): GlossaryMatcher {
  const byName = new Map<string, GlossaryLink>();
  for (const link of links) {
    for (const name of [link.term, ...(link.aliases ?? [])]) {
      const key = name.trim().toLowerCase();
      if (key && !byName.has(key)) byName.set(key, link);
    }
  }
  const names = [...byName.keys()].sort((a, b) => b.length - a.length);
  if (names.length === 0) return { split: (text) => (text ? [{ kind: 'text', text }] : []) };
  const pattern = new RegExp(`(?<!${WORD_CHAR})(${names.map(namePattern).join('|')})${PLURAL}(?!${WORD_CHAR})`, 'giu');

  function lookup(matched: string): GlossaryLink | undefined {
    return byName.get(matched.toLowerCase().replace(/\s+/g, ' '));
  }

  function split(text: string, { firstOnly = true }: { firstOnly?: boolean } = {}): GlossarySegment[] {
    const segments: GlossarySegment[] = [];
    const linked = new Set<string>();
    let cursor = 0;
    for (const match of text.matchAll(pattern)) {
      const link = lookup(match[1] ?? '');
      if (!link || (firstOnly && linked.has(link.id))) continue;
      linked.add(link.id);
      if (match.index > cursor) segments.push({ kind: 'text', text: text.slice(cursor, match.index) });
      segments.push({ kind: 'term', text: match[0], link });
      cursor = match.index + match[0].length;
    }
    if (cursor < text.length) segments.push({ kind: 'text', text: text.slice(cursor) });
    return segments;
  }

  return { split };
}
