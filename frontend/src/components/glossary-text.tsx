import { Fragment, useMemo } from 'react';

import { createGlossaryMatcher, type GlossaryLink } from './glossary-links';
import './glossary-text.css';

export interface GlossaryTextProps {
  text: string;
  terms: readonly GlossaryLink[];
  /** Called with the term whose word was tapped; the caller opens its definition (see TermDialog). */
  onOpen: (link: GlossaryLink) => void;
  /** Link every occurrence instead of the first of each term. */
  everyOccurrence?: boolean;
}

/**
 * Plain text with the glossary's words turned into buttons. Text only, never HTML, so content
 * cannot inject markup. Buttons keep the sentence flowing (inline) and say they open a dialog.
 */
export function GlossaryText({ text, terms, onOpen, everyOccurrence = false }: GlossaryTextProps) {
  const matcher = useMemo(() => createGlossaryMatcher(terms), [terms]);
  const segments = useMemo(
    () => matcher.split(text, { firstOnly: !everyOccurrence }),
    [matcher, text, everyOccurrence],
  );
  return (
    <>
      {segments.map((segment, index) =>
        segment.kind === 'text' ? (
          <Fragment key={index}>{segment.text}</Fragment>
        ) : (
          <button
            key={index}
            type="button"
            className="glossary-term"
            aria-haspopup="dialog"
            onClick={() => {
              onOpen(segment.link);
            }}
          >
            {segment.text}
          </button>
        ),
      )}
    </>
  );
}
