import { queryOptions, useQuery } from '@tanstack/react-query';

import { fetchGlossary, fetchGlossaryTerm, type GlossaryTerm } from '@/lib/api';

import { learnKeys } from './keys';

/** Enough for the whole glossary in one page (the API caps `limit` at 500). */
const WHOLE_GLOSSARY = 500;

/**
 * GET /api/learn/glossary: every term with its aliases, once per session. A lesson lists its terms
 * by id; the aliases ("crypto" for cryptocurrency) come from here so more of the text links.
 */
export const glossaryIndexQueryOptions = queryOptions({
  queryKey: learnKeys.glossaryIndex(),
  queryFn: async ({ signal }) => {
    const page = await fetchGlossary({ limit: WHOLE_GLOSSARY }, signal);
    return new Map<string, GlossaryTerm>(page.items.map((term) => [term.id, term]));
  },
  staleTime: Infinity,
});

export function useGlossaryIndex() {
  return useQuery(glossaryIndexQueryOptions);
}

/** GET /api/learn/glossary/{id}: the definition, and the term becomes a review card. */
export function fetchTermForDialog(termId: string, signal: AbortSignal) {
  return fetchGlossaryTerm(termId, signal);
}
