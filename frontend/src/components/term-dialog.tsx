import { useEffect, useId, useRef } from 'react';
import { useQuery } from '@tanstack/react-query';

import { Button } from './ui/button';
import { type GlossaryLink } from './glossary-links';
import './glossary-text.css';

/** What the dialog shows of a term; `review_card` says the term now comes back in review. */
export interface TermDefinition {
  term: string;
  definition: string;
  review_card?: boolean;
}

export interface TermDialogProps {
  /** The term to explain; `definition`, when already known, shows at once while the fetch runs. */
  term: GlossaryLink & { definition?: string };
  /** Loads the term (the app's is GET /api/learn/glossary/{id}, which also adds a review card). */
  fetchTerm: (termId: string, signal: AbortSignal) => Promise<TermDefinition>;
  onClose: () => void;
}

/**
 * A small modal with one definition. The native <dialog> traps focus, closes on Escape and gives
 * focus back to the word that opened it; where showModal is missing it still opens (non-modal).
 */
export function TermDialog({ term, fetchTerm, onClose }: TermDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const details = useQuery({
    queryKey: ['glossary', 'term', term.id],
    queryFn: ({ signal }) => fetchTerm(term.id, signal),
    staleTime: 10 * 60_000,
  });

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
    return () => {
      if (dialog.open && typeof dialog.close === 'function') dialog.close();
      opener?.focus();
    };
  }, []);

  const definition = details.data?.definition ?? term.definition;
  return (
    <dialog
      ref={ref}
      className="term-dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        // A click on the backdrop lands on the <dialog> itself, outside its body.
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <div className="term-dialog__body">
        <div className="term-dialog__header">
          <h2 id={titleId} className="term-dialog__title">
            {details.data?.term ?? term.term}
          </h2>
          <Button variant="secondary" onClick={onClose}>
            Close
          </Button>
        </div>
        {definition ? (
          <p className="term-dialog__definition">{definition}</p>
        ) : details.isError ? null : (
          <p className="term-dialog__note" role="status">
            Loading the meaning…
          </p>
        )}
        {details.isError && (
          <div role="alert" className="term-dialog__error">
            <p>We couldn't load this word right now.</p>
            <Button variant="ghost" onClick={() => void details.refetch()}>
              Retry
            </Button>
          </div>
        )}
        {details.data?.review_card && (
          <p className="term-dialog__note">We added this word to your daily review so it sticks.</p>
        )}
      </div>
    </dialog>
  );
}
