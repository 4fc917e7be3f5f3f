import { type ReactNode } from 'react';

import { Button } from './button';
import './error-state.css';

export interface ErrorStateProps {
  title: string;
  message: ReactNode;
  actionLabel: string;
  onAction: () => void;
}

/** A failure explained in plain words, with the one action that can fix it. */
export function ErrorState({ title, message, actionLabel, onAction }: ErrorStateProps) {
  return (
    <div className="ui-error-state" role="alert">
      <h2 className="ui-error-state__title">{title}</h2>
      <p className="ui-error-state__message">{message}</p>
      <Button onClick={onAction}>{actionLabel}</Button>
    </div>
  );
}
