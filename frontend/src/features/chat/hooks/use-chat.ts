import { useCallback, useEffect, useReducer, useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';

import { type ChatQuestionContext, type ReadingLevel } from '@/lib/api';
import { realtime, useConnectionState } from '@/lib/realtime';
import { type ReplyFrame, type RequestFrame } from '@/lib/ws-client';

import { LOST_BEFORE_START_ERROR, OFFLINE_ERROR } from '../api/chat-errors';
import { type ChatState, chatReducer, type ChatTurn, EMPTY_CHAT } from '../api/chat-state';
import { conversationQueryOptions } from '../api/conversation';
import { chatKeys } from '../api/keys';
import { readPendingReply, writePendingReply } from '../api/pending-reply';
import { isActive, simplerLevel } from '../api/reply';
import { LEVEL_LABELS } from '../api/levels';

/** A question that cannot be sent this long (no connection) fails with an explanation. */
export const SEND_TIMEOUT_MS = 15_000;

export interface AskOptions {
  level: ReadingLevel;
  context?: ChatQuestionContext | null;
  note?: string | null;
}

export interface Chat {
  state: ChatState;
  /** A reply is still arriving: the composer shows Stop instead of Send. */
  busy: boolean;
  ask: (question: string, options: AskOptions) => void;
  stop: (key: string) => void;
  regenerate: (key: string) => void;
  explainSimpler: (key: string) => void;
  open: (conversationId: string) => Promise<void>;
  newChat: () => void;
  renamed: (conversationId: string, title: string) => void;
}

/**
 * The open conversation and its traffic over the app's one WebSocket: `chat.send`, the streamed
 * reply, `chat.stop`, and `chat.resume` from the last frame received when the socket comes back.
 */
export function useChat(): Chat {
  const [state, dispatch] = useReducer(chatReducer, EMPTY_CHAT);
  const stateRef = useRef(state);
  useEffect(() => {
    stateRef.current = state;
  });
  const queryClient = useQueryClient();
  const connection = useConnectionState();
  const outbox = useRef(new Map<string, RequestFrame>()); // questions waiting for a connection
  const listeners = useRef(new Map<string, () => void>());
  // Read before anything overwrites it: the answer a reload interrupted, if any.
  const interrupted = useRef(readPendingReply());
  usePendingReplyMemory(state);

  const listen = useCallback(
    (key: string) => {
      if (listeners.current.has(key)) return;
      const onFrame = (frame: ReplyFrame) => {
        dispatch({ type: 'reply', key, action: { type: 'frame', frame } });
        if (frame.type === 'chat.done') void queryClient.invalidateQueries({ queryKey: chatKeys.conversations() });
      };
      listeners.current.set(key, realtime.onReply(key, onFrame));
    },
    [queryClient],
  );

  // Listen to every reply still arriving, and only to those.
  const activeKeys = state.turns
    .filter((turn) => !turn.reply.finished)
    .map((turn) => turn.key)
    .join(' ');
  useEffect(() => {
    const active = new Set(activeKeys.split(' ').filter(Boolean));
    active.forEach(listen);
    for (const [key, stopListening] of listeners.current) {
      if (active.has(key)) continue;
      stopListening();
      listeners.current.delete(key);
    }
  }, [activeKeys, listen]);
  useEffect(() => {
    const registry = listeners.current;
    return () => {
      registry.forEach((stopListening) => {
        stopListening();
      });
      registry.clear();
    };
  }, []);

  const send = useCallback((key: string, frame: RequestFrame) => {
    if (realtime.request(frame)) return;
    outbox.current.set(key, frame);
    setTimeout(() => {
      if (outbox.current.get(key) !== frame) return;
      outbox.current.delete(key);
      dispatch({ type: 'reply', key, action: { type: 'failed', error: OFFLINE_ERROR } });
    }, SEND_TIMEOUT_MS);
  }, []);

  useConnectionChanges(connection, stateRef, outbox, dispatch);

  const sendQuestion = useCallback(
    (key: string, turn: Pick<ChatTurn, 'question' | 'level' | 'context'>) => {
      listen(key);
      const conversationId = stateRef.current.conversationId;
      send(key, {
        type: 'chat.send',
        id: key,
        text: turn.question,
        level: turn.level,
        ...(conversationId ? { conversation_id: conversationId } : {}),
        ...(turn.context ? { context: turn.context } : {}),
      });
    },
    [listen, send],
  );

  const ask = useCallback(
    (question: string, options: AskOptions) => {
      const key = realtime.newRequestId('chat');
      const turn = {
        key,
        question,
        level: options.level,
        context: options.context ?? null,
        note: options.note ?? null,
      };
      listen(key);
      dispatch({ type: 'ask', turn });
      sendQuestion(key, turn);
    },
    [listen, sendQuestion],
  );

  const stop = useCallback((key: string) => {
    const turn = findTurn(stateRef.current, key);
    if (!turn || !isActive(turn.reply)) return;
    dispatch({ type: 'reply', key, action: { type: 'stop' } });
    if (outbox.current.delete(key)) {
      dispatch({ type: 'reply', key, action: { type: 'abandon' } }); // never sent: nothing to stop
      return;
    }
    const messageId = turn.reply.messageId;
    // Not connected: the stop goes out after reconnecting (see useConnectionChanges).
    realtime.request({ type: 'chat.stop', id: key, ...(messageId ? { message_id: messageId } : {}) });
  }, []);

  const regenerate = useCallback(
    (key: string) => {
      const turn = findTurn(stateRef.current, key);
      if (!turn?.reply.finished) return;
      const newKey = realtime.newRequestId('chat');
      listen(newKey);
      dispatch({ type: 'regenerate', key, newKey });
      sendQuestion(newKey, turn);
    },
    [listen, sendQuestion],
  );

  const explainSimpler = useCallback(
    (key: string) => {
      const turn = findTurn(stateRef.current, key);
      const level = turn ? simplerLevel(turn.level) : null;
      if (!turn || !level) return;
      ask(turn.question, { level, context: turn.context, note: `Explain simpler · ${LEVEL_LABELS[level]}` });
    },
    [ask],
  );

  const open = useCallback(
    async (conversationId: string) => {
      const detail = await queryClient.query(conversationQueryOptions(conversationId));
      outbox.current.clear();
      const pending = interrupted.current;
      interrupted.current = null;
      const answered = detail.messages.some((message) => message.id === pending?.messageId);
      if (pending?.conversationId !== detail.id || answered) {
        dispatch({ type: 'load', detail });
        return;
      }
      const key = realtime.newRequestId('chat');
      listen(key);
      dispatch({ type: 'load', detail, resume: { messageId: pending.messageId, key } });
      // Not connected yet: the reconnect handling resumes it (the reply is "reconnecting").
      realtime.request({ type: 'chat.resume', id: key, message_id: pending.messageId, offset: 0 });
    },
    [queryClient, listen],
  );

  const newChat = useCallback(() => {
    outbox.current.clear();
    dispatch({ type: 'new-chat' });
  }, []);

  const renamed = useCallback((conversationId: string, title: string) => {
    dispatch({ type: 'renamed', conversationId, title });
  }, []);

  const busy = state.turns.some((turn) => isActive(turn.reply));
  return { state, busy, ask, stop, regenerate, explainSimpler, open, newChat, renamed };
}

/** Remembers the answer still arriving (for a reload), and forgets it once it has ended. */
function usePendingReplyMemory(state: ChatState) {
  const active = state.turns.find((turn) => !turn.reply.finished && turn.reply.messageId !== null);
  const messageId = active?.reply.messageId ?? null;
  const conversationId = active?.reply.conversationId ?? state.conversationId;
  useEffect(() => {
    writePendingReply(messageId && conversationId ? { messageId, conversationId } : null);
  }, [messageId, conversationId]);
}

function findTurn(state: ChatState, key: string): ChatTurn | undefined {
  return state.turns.find((turn) => turn.key === key);
}

/**
 * The socket dropped: replies in progress wait ("reconnecting"). It is back: questions queued
 * meanwhile go out, and each reply continues with `chat.resume` from the next frame it needs,
 * into the same bubble; a reply stopped while offline gets its stop now.
 */
function useConnectionChanges(
  connection: ReturnType<typeof useConnectionState>,
  stateRef: { readonly current: ChatState },
  outbox: { readonly current: Map<string, RequestFrame> },
  dispatch: (action: Parameters<typeof chatReducer>[1]) => void,
) {
  const previous = useRef(connection);
  useEffect(() => {
    const was = previous.current;
    previous.current = connection;
    const waiting = stateRef.current.turns.filter((turn) => !turn.reply.finished && !outbox.current.has(turn.key));
    if (connection === 'connected') {
      for (const [key, frame] of outbox.current) {
        if (realtime.request(frame)) outbox.current.delete(key);
      }
      if (was !== 'connected') {
        waiting.forEach((turn) => {
          resumeOrStop(turn, dispatch);
        });
      }
    } else if (was === 'connected') {
      waiting.forEach((turn) => {
        dispatch({ type: 'reply', key: turn.key, action: { type: 'disconnected' } });
      });
    }
  }, [connection, stateRef, outbox, dispatch]);
}

function resumeOrStop(turn: ChatTurn, dispatch: (action: Parameters<typeof chatReducer>[1]) => void) {
  const { messageId, nextOffset, stopRequested } = turn.reply;
  if (stopRequested) {
    if (messageId) realtime.request({ type: 'chat.stop', id: realtime.newRequestId('stop'), message_id: messageId });
    dispatch({ type: 'reply', key: turn.key, action: { type: 'abandon' } });
    return;
  }
  if (!messageId) {
    dispatch({ type: 'reply', key: turn.key, action: { type: 'failed', error: LOST_BEFORE_START_ERROR } });
    return;
  }
  // Same id as the question, so the frames reach the same handler and bubble.
  realtime.request({ type: 'chat.resume', id: turn.key, message_id: messageId, offset: nextOffset });
}
