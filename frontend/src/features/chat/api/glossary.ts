import { queryOptions, useQuery } from '@tanstack/react-query';

import { type GlossaryLink } from '@/components/glossary-links';
import { fetchGlossary, fetchGlossaryTerm } from '@/lib/api';

import { chatKeys } from './keys';

/** The whole glossary fits one page (the API caps `limit` at 500). */
const WHOLE_GLOSSARY = 500;

export type ChatGlossaryTerm = GlossaryLink & { definition: string };

/** GET /api/learn/glossary: every term and its aliases, once per session, to link words in answers. */
export const glossaryQueryOptions = queryOptions({
  queryKey: [...chatKeys.all, 'glossary'] as const,
  queryFn: async ({ signal }): Promise<ChatGlossaryTerm[]> => {
    const page = await fetchGlossary({ limit: WHOLE_GLOSSARY }, signal);
    return page.items.map(({ id, term, aliases, definition }) => ({ id, term, aliases, definition }));
  },
  staleTime: Infinity,
});

/** The glossary, or an empty list while it loads or if it cannot (answers then show plain words). */
export function useGlossaryTerms(): readonly ChatGlossaryTerm[] {
  return useQuery(glossaryQueryOptions).data ?? NO_TERMS;
}

const NO_TERMS: readonly ChatGlossaryTerm[] = [];

/** GET /api/learn/glossary/{id}: the definition (the word also joins the learner's daily review). */
export function fetchTermForDialog(termId: string, signal: AbortSignal) {
  return fetchGlossaryTerm(termId, signal);
}
