/**
 * The open conversation as a list of turns (a question and its reply). Pure; the WebSocket side
 * lives in hooks/use-chat.ts.
 */
import { type ChatQuestionContext, type ConversationDetail, type ReadingLevel } from '@/lib/api';

import { emptyReply, type ReplyAction, replyReducer, type ReplyState, toSource } from './reply';

export interface ChatTurn {
  /** Also the `id` of the `chat.send` frame, which every reply frame echoes. */
  key: string;
  question: string;
  level: ReadingLevel;
  context: ChatQuestionContext | null;
  /** Shown above the question, e.g. "Explain simpler · ELI5". */
  note: string | null;
  reply: ReplyState;
}

export interface ChatState {
  conversationId: string | null;
  title: string | null;
  turns: ChatTurn[];
}

export type ChatAction =
  | { type: 'ask'; turn: Omit<ChatTurn, 'reply'> }
  | { type: 'regenerate'; key: string; newKey: string }
  | { type: 'reply'; key: string; action: ReplyAction }
  /** `resume`: the answer to the last question is still being written; continue it under `key`. */
  | { type: 'load'; detail: ConversationDetail; resume?: { messageId: string; key: string } }
  | { type: 'renamed'; conversationId: string; title: string }
  | { type: 'new-chat' };

export const EMPTY_CHAT: ChatState = { conversationId: null, title: null, turns: [] };

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'ask':
      return { ...state, turns: [...state.turns, { ...action.turn, reply: emptyReply() }] };
    case 'regenerate':
      return {
        ...state,
        turns: state.turns.map((turn) =>
          turn.key === action.key ? { ...turn, key: action.newKey, reply: emptyReply() } : turn,
        ),
      };
    case 'reply':
      return applyReply(state, action.key, action.action);
    case 'load': {
      const turns = turnsFromHistory(action.detail);
      return {
        conversationId: action.detail.id,
        title: action.detail.title,
        turns: action.resume ? withResumedLast(turns, action.resume, action.detail.id) : turns,
      };
    }
    case 'renamed':
      return action.conversationId === state.conversationId ? { ...state, title: action.title } : state;
    case 'new-chat':
      return EMPTY_CHAT;
  }
}

function applyReply(state: ChatState, key: string, action: ReplyAction): ChatState {
  const index = state.turns.findIndex((turn) => turn.key === key);
  const turn = state.turns[index];
  if (!turn) return state;
  const reply = replyReducer(turn.reply, action);
  if (reply === turn.reply) return state;
  // map rather than Array#with: older wallet webviews lack the latter.
  const turns = state.turns.map((other, at) => (at === index ? { ...turn, reply } : other));
  // The first frame of a new conversation's first reply tells us which conversation it went into.
  const conversationId = state.conversationId ?? reply.conversationId;
  return { ...state, conversationId, turns };
}

/** The last question, whose answer was not saved yet, waits for its answer to be resumed. */
function withResumedLast(turns: ChatTurn[], resume: { messageId: string; key: string }, conversationId: string) {
  const last = turns.at(-1);
  if (last?.reply.messageId !== null || last.reply.error?.code !== 'missing') return turns;
  const reply: ReplyState = { ...emptyReply(), messageId: resume.messageId, conversationId, phase: 'reconnecting' };
  return [...turns.slice(0, -1), { ...last, key: resume.key, reply }];
}

/** Turns of a saved conversation: each question paired with the answer saved after it. */
export function turnsFromHistory(detail: ConversationDetail): ChatTurn[] {
  const turns: ChatTurn[] = [];
  for (const message of detail.messages) {
    if (message.role === 'user') {
      const reply: ReplyState = {
        ...emptyReply(),
        conversationId: detail.id,
        finished: true,
        phase: 'failed',
        error: { code: 'missing', detail: 'No answer was saved for this question.', retryAfter: null },
      };
      turns.push({
        key: `history-${message.id}`,
        question: message.text,
        level: message.level ?? 'simple',
        context: null,
        note: null,
        reply,
      });
      continue;
    }
    const last = turns.at(-1);
    // An answer without its question (never written that way) is skipped.
    if (last?.reply.messageId !== null) continue;
    last.reply = {
      ...emptyReply(),
      messageId: message.id,
      conversationId: detail.id,
      text: message.text,
      sources: message.sources.map(toSource).filter((source) => source !== null),
      suggestions: message.suggestions.slice(0, 3),
      intent: message.intent,
      grade: message.grade,
      engine: message.engine,
      warning: message.warning,
      fallbackReason: message.fallback_reason,
      phase: message.status === 'complete' ? 'done' : message.status,
      finished: true,
      error:
        message.status === 'failed'
          ? { code: 'internal', detail: 'This answer failed part-way.', retryAfter: null }
          : null,
    };
  }
  return turns;
}
