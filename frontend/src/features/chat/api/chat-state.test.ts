import { describe, expect, it } from 'vitest';

import { type ConversationDetail } from '@/lib/api';

import { chatReducer, EMPTY_CHAT } from './chat-state';

const WHEN = '2026-11-26T12:00:00Z';

function message(id: string, role: 'user' | 'assistant', text: string) {
  return {
    id,
    role,
    text,
    level: 'eli5' as const,
    intent: role === 'assistant' ? 'concept' : null,
    grade: role === 'assistant' ? 2.1 : null,
    sources: role === 'assistant' ? [{ kind: 'card', title: 'Gas', id: 'gas' }] : [],
    suggestions: [],
    engine: role === 'assistant' ? 'offline' : null,
    status: 'complete' as const,
    warning: false,
    fallback_reason: null,
    created_at: WHEN,
  };
}

const DETAIL: ConversationDetail = {
  id: 'conv-1',
  title: 'Gas',
  created_at: WHEN,
  updated_at: WHEN,
  messages: [
    message('u1', 'user', 'What is gas?'),
    message('a1', 'assistant', 'Gas is a fee.'),
    message('u2', 'user', 'And on Base?'),
  ],
};

describe('chatReducer: a saved conversation', () => {
  it('pairs questions with their answers; a question without one says so', () => {
    const state = chatReducer(EMPTY_CHAT, { type: 'load', detail: DETAIL });
    expect(state.conversationId).toBe('conv-1');
    expect(state.turns).toHaveLength(2);
    expect(state.turns[0]?.reply).toMatchObject({ text: 'Gas is a fee.', phase: 'done', finished: true, grade: 2.1 });
    expect(state.turns[0]?.reply.sources[0]?.title).toBe('Gas');
    expect(state.turns[1]?.reply).toMatchObject({ phase: 'failed', finished: true, messageId: null });
  });

  it('after a reload mid-answer, the last question waits for its answer to be resumed', () => {
    const state = chatReducer(EMPTY_CHAT, { type: 'load', detail: DETAIL, resume: { messageId: 'a2', key: 'chat-9' } });
    const last = state.turns[1]!;
    expect(last.key).toBe('chat-9');
    expect(last.reply).toMatchObject({ messageId: 'a2', phase: 'reconnecting', finished: false, nextOffset: 0 });
    // The resumed frames (from offset 0) fill the same turn.
    const resumed = chatReducer(state, {
      type: 'reply',
      key: 'chat-9',
      action: { type: 'frame', frame: { type: 'chat.delta', id: 'chat-9', offset: 0, text: 'Base fees are tiny.' } },
    });
    expect(resumed.turns[1]?.reply.text).toBe('Base fees are tiny.');
  });

  it('a new question in a new chat adopts the conversation its first frame names', () => {
    let state = chatReducer(EMPTY_CHAT, {
      type: 'ask',
      turn: { key: 'k', question: 'Hi', level: 'simple', context: null, note: null },
    });
    state = chatReducer(state, {
      type: 'reply',
      key: 'k',
      action: {
        type: 'frame',
        frame: { type: 'chat.status', id: 'k', offset: 0, conversation_id: 'conv-2', text: '…' },
      },
    });
    expect(state.conversationId).toBe('conv-2');
  });
});
