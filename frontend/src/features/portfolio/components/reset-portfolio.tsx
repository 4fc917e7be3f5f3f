import { useId, useRef } from 'react';

import { Button } from '@/components/ui/button';
import { describeError } from '@/lib/api';

import { useResetPortfolio } from '../api/reset';

/**
 * "Start again" with a native modal <dialog>: the browser traps focus inside it, Escape closes
 * it, and focus returns to the button that opened it.
 */
export function ResetPortfolio({ onDone }: { onDone: () => void }) {
  const titleId = useId();
  const textId = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const reset = useResetPortfolio();

  const open = () => {
    reset.reset();
    dialog.current?.showModal();
  };
  const close = () => {
    dialog.current?.close();
  };

  return (
    <section className="pf-section pf-reset" aria-label="Start again">
      <Button variant="secondary" onClick={open}>
        Start again with $100
      </Button>
      <dialog ref={dialog} className="pf-dialog" aria-labelledby={titleId} aria-describedby={textId}>
        <h2 id={titleId} className="pf-dialog__title">
          Start again?
        </h2>
        <p id={textId}>
          Your tokens are cleared and you get $100 of fresh play money. Your old trades are kept in an archive, but they
          no longer count.
        </p>
        {reset.isError && (
          <p role="alert" className="pf-alert pf-alert--danger">
            {describeError(reset.error)}
          </p>
        )}
        <div className="pf-ticket__actions">
          <Button
            disabled={reset.isPending}
            onClick={() => {
              reset.mutate(undefined, {
                onSuccess: () => {
                  close();
                  onDone();
                },
              });
            }}
          >
            {reset.isPending ? 'Starting again…' : 'Yes, start again'}
          </Button>
          <Button variant="secondary" onClick={close} autoFocus>
            Keep my portfolio
          </Button>
        </div>
      </dialog>
    </section>
  );
}
