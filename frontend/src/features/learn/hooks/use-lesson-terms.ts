import { useMemo, useState } from 'react';

import { type GlossaryLink } from '@/components/glossary-links';
import { type Lesson } from '@/lib/api';

import { useGlossaryIndex } from '../api/glossary';

export type LessonTerm = GlossaryLink & { definition: string };

/**
 * The lesson's glossary words with every name they go by: the lesson lists its terms, the glossary
 * index adds their aliases ("crypto" for cryptocurrency). Until the index loads, the main names
 * alone link. Also holds which term's dialog is open.
 */
export function useLessonTerms(glossary: Lesson['glossary']) {
  const index = useGlossaryIndex();
  const terms = useMemo<LessonTerm[]>(
    () =>
      glossary.map((ref) => ({
        id: ref.id,
        term: ref.term,
        definition: ref.definition,
        aliases: index.data?.get(ref.id)?.aliases ?? [],
      })),
    [glossary, index.data],
  );
  const [openId, setOpenId] = useState<string | null>(null);
  const open = terms.find((term) => term.id === openId) ?? null;
  return {
    terms,
    open,
    openTerm: (link: GlossaryLink) => {
      setOpenId(link.id);
    },
    close: () => {
      setOpenId(null);
    },
  };
}
