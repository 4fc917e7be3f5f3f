import { queryOptions } from '@tanstack/react-query';

import { fetchConversation } from '@/lib/api';

import { chatKeys } from './keys';

/** GET /api/conversations/{id}: one conversation with its messages, read when it is opened. */
export function conversationQueryOptions(conversationId: string) {
  return queryOptions({
    queryKey: chatKeys.conversation(conversationId),
    queryFn: ({ signal }) => fetchConversation(conversationId, signal),
    // Opening a conversation should show its latest messages, never a cached old copy.
    staleTime: 0,
  });
}
