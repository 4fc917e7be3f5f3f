/**
 * The tutor's HTTP API (conversations) and the reading-level preference, as features see it.
 * Re-exported by api.ts; kept in its own file so chat changes never collide with other features'.
 */
import {
  deleteConversation as deleteConversationSdk,
  listConversations,
  readConversation,
  renameConversation as renameConversationSdk,
  updatePreferences,
} from '@/client/sdk.gen';
import type {
  ChatContext,
  ChatIn,
  ConversationDetail as ConversationDetailSchema,
  ConversationOut,
  ConversationPage as ConversationPageSchema,
  MessageOut,
  PreferencesUpdate,
  SourceOut,
  UserOut,
} from '@/client/types.gen';

import { send } from './api-client';

export type ReadingLevel = NonNullable<ChatIn['level']>;
export type ChatQuestion = ChatIn;
export type ChatQuestionContext = ChatContext;
export type ChatSource = SourceOut;
export type Conversation = ConversationOut;
export type ConversationPage = ConversationPageSchema;
export type ConversationDetail = ConversationDetailSchema;
export type ConversationMessage = MessageOut;
export type PreferencesChange = PreferencesUpdate;

/** Changes some of the user's preferences (e.g. the tutor's reading level); returns the updated user. */
export function savePreferences(change: PreferencesChange, signal?: AbortSignal): Promise<UserOut> {
  return send((s) => updatePreferences({ body: change, signal: s }), signal);
}

/** The user's tutor conversations, most recently active first; `q` matches titles and message text. */
export function fetchConversations(
  query: { q?: string; cursor?: string; limit?: number } = {},
  signal?: AbortSignal,
): Promise<ConversationPage> {
  return send((s) => listConversations({ query, signal: s }), signal);
}

/** One conversation with all its messages, oldest first; 404 when it is not the user's. */
export function fetchConversation(conversationId: string, signal?: AbortSignal): Promise<ConversationDetail> {
  return send((s) => readConversation({ path: { conversation_id: conversationId }, signal: s }), signal);
}

/** Gives a conversation a new title (1–120 characters). */
export function renameConversation(conversationId: string, title: string, signal?: AbortSignal): Promise<Conversation> {
  return send(
    (s) => renameConversationSdk({ path: { conversation_id: conversationId }, body: { title }, signal: s }),
    signal,
  );
}

/** Deletes a conversation and its messages for good. */
export async function deleteConversation(conversationId: string, signal?: AbortSignal): Promise<void> {
  await send((s) => deleteConversationSdk({ path: { conversation_id: conversationId }, signal: s }), signal);
}
