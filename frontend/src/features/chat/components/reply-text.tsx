import { useMemo, useState } from 'react';

import { type GlossaryLink } from '@/components/glossary-links';
import { TermDialog } from '@/components/term-dialog';

import { fetchTermForDialog, useGlossaryTerms } from '../api/glossary';
import { SafeMarkdown } from './safe-markdown';

/**
 * An answer's text. Once it has finished arriving, glossary words become tappable (as in lessons),
 * so the words do not jump around while the text is still streaming.
 */
export function ReplyText({ text, finished }: { text: string; finished: boolean }) {
  const terms = useGlossaryTerms();
  const [openId, setOpenId] = useState<string | null>(null);
  const glossary = useMemo(
    () =>
      finished && terms.length > 0
        ? {
            terms,
            onOpen: (link: GlossaryLink) => {
              setOpenId(link.id);
            },
          }
        : undefined,
    [finished, terms],
  );
  const open = terms.find((term) => term.id === openId);
  return (
    <>
      <SafeMarkdown className="chat-reply__text" text={text} glossary={glossary} />
      {open && (
        <TermDialog
          term={open}
          fetchTerm={fetchTermForDialog}
          onClose={() => {
            setOpenId(null);
          }}
        />
      )}
    </>
  );
}
