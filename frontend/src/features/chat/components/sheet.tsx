import { type ReactNode, useEffect, useId, useRef } from 'react';

import { Button } from '@/components/ui/button';

export interface SheetProps {
  open: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
  /** `drawer` fills the height (conversation history); `sheet` is a small card at the bottom. */
  variant?: 'sheet' | 'drawer';
  closeLabel?: string;
}

/**
 * A native modal <dialog>: the browser traps focus inside, Escape closes it and focus goes back to
 * the control that opened it. A tap on the backdrop closes it too.
 */
export function Sheet({ open, onClose, title, children, variant = 'sheet', closeLabel = 'Close' }: SheetProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      if (typeof element.showModal === 'function') element.showModal();
      else element.setAttribute('open', '');
    } else if (!open && element.open) {
      element.close();
    }
  }, [open]);
  return (
    <dialog
      ref={dialog}
      className={`chat-sheet chat-sheet--${variant}`}
      aria-labelledby={titleId}
      onClose={onClose}
      onClick={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <div className="chat-sheet__body">
        <header className="chat-sheet__header">
          <h2 id={titleId} className="chat-sheet__title">
            {title}
          </h2>
          <Button variant="ghost" className="chat-sheet__close" onClick={onClose}>
            {closeLabel}
          </Button>
        </header>
        {open ? children : null}
      </div>
    </dialog>
  );
}
