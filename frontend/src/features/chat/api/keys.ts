/** Query keys of the chat feature. */
export const chatKeys = {
  all: ['chat'] as const,
  conversations: () => ['chat', 'conversations'] as const,
  conversationList: (q: string) => ['chat', 'conversations', 'list', q] as const,
  conversation: (id: string) => ['chat', 'conversations', 'detail', id] as const,
};

/**
 * The signed-in user. The same cache entry the session gate and the profile feature read, so a
 * saved reading level shows everywhere at once (features share data through the cache, not imports).
 */
export const ME_KEY = ['me'] as const;
