import { type SyntheticEvent, useId, useState } from 'react';

import { Button } from '@/components/ui/button';
import { type Conversation, describeError } from '@/lib/api';
import { formatRelativeTime } from '@/lib/format';
import { useDebouncedValue } from '@/lib/use-debounced-value';

import { useConversations } from '../api/conversations';
import { useDeleteConversation } from '../api/delete-conversation';
import { useRenameConversation } from '../api/rename-conversation';
import { Sheet } from './sheet';

export interface HistoryDrawerProps {
  open: boolean;
  onClose: () => void;
  currentId: string | null;
  onOpen: (conversationId: string) => void;
  onNewChat: () => void;
  onRenamed: (conversationId: string, title: string) => void;
  onDeleted: (conversationId: string) => void;
}

/** Past conversations: search by text, open, rename, delete. */
export function HistoryDrawer({
  open,
  onClose,
  currentId,
  onOpen,
  onNewChat,
  onRenamed,
  onDeleted,
}: HistoryDrawerProps) {
  const [search, setSearch] = useState('');
  const query = useDebouncedValue(search, 300);
  const conversations = useConversations(query, open);
  const searchId = useId();
  return (
    <Sheet open={open} onClose={onClose} title="Your conversations" variant="drawer">
      <div className="chat-history">
        <Button
          variant="secondary"
          onClick={() => {
            onNewChat();
            onClose();
          }}
        >
          New chat
        </Button>
        <label htmlFor={searchId} className="chat-history__label">
          Search your conversations
        </label>
        <input
          id={searchId}
          type="search"
          className="chat-history__search"
          placeholder="e.g. gas, wallet"
          value={search}
          maxLength={200}
          onChange={(event) => {
            setSearch(event.target.value);
          }}
        />
        {conversations.isPending && <p className="chat-history__note">Loading…</p>}
        {conversations.isError && (
          <p className="chat-history__note" role="alert">
            {describeError(conversations.error)}{' '}
            <button type="button" className="chat-action" onClick={() => void conversations.refetch()}>
              Retry
            </button>
          </p>
        )}
        {conversations.data?.items.length === 0 && (
          <p className="chat-history__note">
            {query.trim() ? 'Nothing matches that search.' : 'No conversations yet.'}
          </p>
        )}
        {conversations.data && conversations.data.items.length > 0 && (
          <ul
            className="chat-history__list"
            aria-label={query.trim() ? 'Matching conversations' : 'Recent conversations'}
          >
            {conversations.data.items.map((conversation) => (
              <HistoryRow
                key={conversation.id}
                conversation={conversation}
                current={conversation.id === currentId}
                onOpen={() => {
                  onOpen(conversation.id);
                  onClose();
                }}
                onRenamed={onRenamed}
                onDeleted={onDeleted}
              />
            ))}
          </ul>
        )}
      </div>
    </Sheet>
  );
}

interface HistoryRowProps {
  conversation: Conversation;
  current: boolean;
  onOpen: () => void;
  onRenamed: (conversationId: string, title: string) => void;
  onDeleted: (conversationId: string) => void;
}

function HistoryRow({ conversation, current, onOpen, onRenamed, onDeleted }: HistoryRowProps) {
  const [mode, setMode] = useState<'view' | 'rename' | 'delete'>('view');
  const rename = useRenameConversation();
  const remove = useDeleteConversation(onDeleted);
  const [title, setTitle] = useState(conversation.title);
  const inputId = useId();

  const saveTitle = (event: SyntheticEvent) => {
    event.preventDefault();
    const next = title.trim();
    if (!next) return;
    rename.mutate(
      { id: conversation.id, title: next },
      {
        onSuccess: (saved) => {
          onRenamed(saved.id, saved.title);
          setMode('view');
        },
      },
    );
  };

  if (mode === 'rename') {
    return (
      <li className="chat-history__row">
        <form className="chat-history__rename" onSubmit={saveTitle}>
          <label htmlFor={inputId} className="visually-hidden">
            New title
          </label>
          <input
            id={inputId}
            className="chat-history__search"
            value={title}
            maxLength={120}
            autoFocus
            onChange={(event) => {
              setTitle(event.target.value);
            }}
          />
          <div className="chat-history__row-actions">
            <Button type="submit" disabled={rename.isPending || !title.trim()}>
              Save
            </Button>
            <Button
              variant="ghost"
              onClick={() => {
                setTitle(conversation.title);
                setMode('view');
              }}
            >
              Cancel
            </Button>
          </div>
          {rename.isError && <p role="alert">{describeError(rename.error)}</p>}
        </form>
      </li>
    );
  }

  return (
    <li className={`chat-history__row${current ? ' chat-history__row--current' : ''}`}>
      <button type="button" className="chat-history__open" onClick={onOpen} aria-current={current ? 'true' : undefined}>
        <span className="chat-history__title">{conversation.title}</span>
        <span className="chat-history__when">{formatRelativeTime(conversation.updated_at)}</span>
      </button>
      {mode === 'delete' ? (
        <div className="chat-history__row-actions" role="group" aria-label={`Delete “${conversation.title}”?`}>
          <span>Delete for good?</span>
          <Button
            variant="secondary"
            disabled={remove.isPending}
            onClick={() => {
              remove.mutate(conversation.id);
            }}
          >
            Delete
          </Button>
          <Button
            variant="ghost"
            autoFocus
            onClick={() => {
              setMode('view');
            }}
          >
            Keep
          </Button>
          {remove.isError && <p role="alert">{describeError(remove.error)}</p>}
        </div>
      ) : (
        <div className="chat-history__row-actions">
          <button
            type="button"
            className="chat-action"
            onClick={() => {
              setMode('rename');
            }}
          >
            Rename<span className="visually-hidden"> “{conversation.title}”</span>
          </button>
          <button
            type="button"
            className="chat-action chat-action--danger"
            onClick={() => {
              setMode('delete');
            }}
          >
            Delete<span className="visually-hidden"> “{conversation.title}”</span>
          </button>
        </div>
      )}
    </li>
  );
}
