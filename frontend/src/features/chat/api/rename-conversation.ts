import { useMutation, useQueryClient } from '@tanstack/react-query';

import { renameConversation } from '@/lib/api';

import { chatKeys } from './keys';

/** PATCH /api/conversations/{id}: a new title; the history list is refetched. */
export function useRenameConversation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, title }: { id: string; title: string }) => renameConversation(id, title),
    onSettled: () => queryClient.invalidateQueries({ queryKey: chatKeys.conversations() }),
  });
}
