import { type KeyboardEvent, type SyntheticEvent, useId, useState } from 'react';

import { Button } from '@/components/ui/button';

import { MAX_QUESTION_LENGTH } from './composer-limits';

export interface ComposerProps {
  busy: boolean;
  onSend: (text: string) => void;
  onStop: () => void;
}

/**
 * The question box. Enter sends, Shift+Enter starts a new line. While an answer arrives, Send
 * becomes Stop (the answer can be stopped from the keyboard too: it is the next button).
 */
export function Composer({ busy, onSend, onStop }: ComposerProps) {
  const [text, setText] = useState('');
  const inputId = useId();
  const countId = useId();
  const trimmed = text.trim();
  const submit = (event?: SyntheticEvent) => {
    event?.preventDefault();
    if (busy || !trimmed) return;
    onSend(trimmed);
    setText('');
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) submit(event);
  };
  const nearLimit = text.length > MAX_QUESTION_LENGTH - 200;
  return (
    <form className="chat-composer" onSubmit={submit}>
      <label htmlFor={inputId} className="visually-hidden">
        Your question
      </label>
      <textarea
        id={inputId}
        className="chat-composer__input"
        rows={1}
        maxLength={MAX_QUESTION_LENGTH}
        placeholder="Ask about crypto…"
        value={text}
        aria-describedby={nearLimit ? countId : undefined}
        onChange={(event) => {
          setText(event.target.value);
        }}
        onKeyDown={onKeyDown}
      />
      {nearLimit && (
        <span id={countId} className="chat-composer__count">
          {text.length}/{MAX_QUESTION_LENGTH}
        </span>
      )}
      {busy ? (
        <Button variant="secondary" className="chat-composer__button" onClick={onStop}>
          <span className="chat-composer__stop-icon" aria-hidden="true" />
          Stop
        </Button>
      ) : (
        <Button type="submit" className="chat-composer__button" disabled={!trimmed}>
          Send
        </Button>
      )}
    </form>
  );
}
