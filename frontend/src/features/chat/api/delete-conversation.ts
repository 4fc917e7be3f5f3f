import { useMutation, useQueryClient } from '@tanstack/react-query';

import { deleteConversation } from '@/lib/api';

import { chatKeys } from './keys';

/** DELETE /api/conversations/{id}: gone for good; the history list is refetched. */
export function useDeleteConversation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => deleteConversation(id),
    onSuccess: (_, id) => {
      queryClient.removeQueries({ queryKey: chatKeys.conversation(id) });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: chatKeys.conversations() }),
  });
}
