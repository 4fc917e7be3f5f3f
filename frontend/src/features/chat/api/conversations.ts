import { queryOptions, useQuery } from '@tanstack/react-query';

import { fetchConversations } from '@/lib/api';

import { chatKeys } from './keys';

export const CONVERSATIONS_PAGE_SIZE = 30;

/** GET /api/conversations: the newest conversations, or those whose title or messages match `q`. */
export function conversationsQueryOptions(q: string) {
  const search = q.trim();
  return queryOptions({
    queryKey: chatKeys.conversationList(search),
    queryFn: ({ signal }) => fetchConversations({ q: search || undefined, limit: CONVERSATIONS_PAGE_SIZE }, signal),
    staleTime: 10_000,
  });
}

export function useConversations(q: string, enabled: boolean) {
  return useQuery({ ...conversationsQueryOptions(q), enabled });
}
