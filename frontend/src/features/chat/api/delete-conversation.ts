import { useMutation, useQueryClient } from '@tanstack/react-query';

import { deleteConversation } from '@/lib/api';

import { chatKeys } from './keys';

/**
 * DELETE /api/conversations/{id}: gone for good; the history list is refetched. `onDeleted` is the
 * mutation's own callback, not a per-call one: the history row that asked is removed by that very
 * refetch (or by closing the drawer), and TanStack Query drops the per-call callbacks of an unmounted
 * component, which left the chat showing a conversation that no longer exists.
 */
export function useDeleteConversation(onDeleted?: (id: string) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => deleteConversation(id),
    onSuccess: (_, id) => {
      queryClient.removeQueries({ queryKey: chatKeys.conversation(id) });
      onDeleted?.(id);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: chatKeys.conversations() }),
  });
}
