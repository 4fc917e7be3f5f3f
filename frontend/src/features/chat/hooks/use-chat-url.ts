import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';

import { type ChatQuestionContext, type ReadingLevel } from '@/lib/api';

import { MAX_QUESTION_LENGTH } from '../components/composer-limits';
import { type Chat } from './use-chat';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * The chat's URL. `/chat?q=…&token=0x…` (the token page's "Ask EAILI5 about this token") asks the
 * question once, with the token as context, then drops those parameters so a reload does not ask
 * again. `/chat?c=<id>` is the open conversation, so a reload or a shared tab reopens it.
 */
export function useChatUrl(chat: Chat, level: ReadingLevel): { openError: unknown; opening: boolean } {
  const [params, setParams] = useSearchParams();
  const [openError, setOpenError] = useState<unknown>(null);
  // Known from the first URL, so no effect has to set it.
  const [opening, setOpening] = useState(() => !params.get('q')?.trim() && params.get('c') !== null);
  const ready = useRef(false); // the first URL has been read: from now on the URL follows the chat
  const started = useRef(false);
  const { ask, open } = chat;

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const question = params.get('q')?.trim().slice(0, MAX_QUESTION_LENGTH);
    const conversationId = params.get('c');
    if (question) {
      const token = params.get('token');
      const context: ChatQuestionContext | null = token && ADDRESS.test(token) ? { token_address: token } : null;
      ask(question, { level, context });
      ready.current = true;
      setParams({}, { replace: true });
    } else if (conversationId) {
      open(conversationId)
        .catch((error: unknown) => {
          setOpenError(error);
        })
        .finally(() => {
          ready.current = true;
          setOpening(false);
        });
    } else {
      ready.current = true;
    }
  }, [params, setParams, ask, open, level]);

  const conversationId = chat.state.conversationId;
  const latestParams = useRef(params);
  useEffect(() => {
    latestParams.current = params;
  });
  useEffect(() => {
    // Only navigate when the URL really differs: every navigation makes a new setParams.
    if (!ready.current || (latestParams.current.get('c') ?? null) === conversationId) return;
    const next = new URLSearchParams(latestParams.current);
    if (conversationId) next.set('c', conversationId);
    else next.delete('c');
    setParams(next, { replace: true });
  }, [conversationId, setParams]);

  return { openError, opening };
}
