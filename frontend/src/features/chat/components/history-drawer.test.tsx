import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '@/lib/api';
import { renderWithProviders } from '@/test/render';

import { HistoryDrawer } from './history-drawer';

vi.mock('@/lib/api', async (importOriginal) => ({
  ...(await importOriginal<typeof api>()),
  fetchConversations: vi.fn(),
  deleteConversation: vi.fn(),
}));

const conversation: api.Conversation = {
  id: '00000000-0000-4000-8000-0000000000c1',
  title: 'Gas, wallets and seed phrases',
  created_at: '2026-11-27T07:00:00Z',
  updated_at: '2026-11-27T07:05:00Z',
};

function drawer(onDeleted: (id: string) => void) {
  return (
    <HistoryDrawer
      open
      onClose={() => undefined}
      currentId={conversation.id}
      onOpen={() => undefined}
      onNewChat={() => undefined}
      onRenamed={() => undefined}
      onDeleted={onDeleted}
    />
  );
}

describe('HistoryDrawer', () => {
  beforeEach(() => {
    vi.mocked(api.fetchConversations).mockResolvedValue({ items: [conversation], next_cursor: null });
  });

  it('reports a deletion even when the drawer is gone before the server answers', async () => {
    // The row that asked is removed by the list's refetch, or the learner closes the drawer at once:
    // the chat must still learn that its open conversation no longer exists.
    let answer: () => void = () => undefined;
    vi.mocked(api.deleteConversation).mockImplementation(
      () =>
        new Promise<void>((resolve) => {
          answer = resolve;
        }),
    );
    const onDeleted = vi.fn();
    const user = userEvent.setup();
    const view = renderWithProviders(drawer(onDeleted));

    await user.click(await screen.findByRole('button', { name: /^Delete/ }));
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    expect(api.deleteConversation).toHaveBeenCalledWith(conversation.id);
    view.unmount();
    answer();

    await vi.waitFor(() => {
      expect(onDeleted).toHaveBeenCalledWith(conversation.id);
    });
  });
});
