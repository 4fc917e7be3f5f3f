import { useEffect, useRef, useState } from 'react';

import { Button } from '@/components/ui/button';
import { Page } from '@/components/ui/page';
import { describeError } from '@/lib/api';

import { useReadingLevel } from '../api/reading-level';
import { isActive } from '../api/reply';
import { useChat } from '../hooks/use-chat';
import { useChatUrl } from '../hooks/use-chat-url';
import { ChatLog } from './chat-log';
import { Composer } from './composer';
import { HistoryDrawer } from './history-drawer';
import { LevelToggle } from './level-toggle';
import { StarterQuestions } from './starter-questions';

import './chat-page.css';
import './chat-reply.css';

export function ChatPage() {
  const chat = useChat();
  const { level, setLevel } = useReadingLevel();
  const { openError, opening } = useChatUrl(chat, level);
  const [historyOpen, setHistoryOpen] = useState(false);
  const { state, busy } = chat;
  const activeTurn = state.turns.find((turn) => isActive(turn.reply));
  const ask = (question: string) => {
    chat.ask(question, { level });
  };
  const endRef = useFollowStream(state.turns.at(-1)?.reply.text.length ?? 0, state.turns.length);

  return (
    <Page
      title="Chat"
      intro="Ask anything about crypto and get answers in simple words, with sources."
      aside={
        <div className="chat-page__tools">
          <Button
            variant="secondary"
            className="chat-page__tool"
            aria-haspopup="dialog"
            onClick={() => {
              setHistoryOpen(true);
            }}
          >
            History
          </Button>
          {state.turns.length > 0 && (
            <Button variant="ghost" className="chat-page__tool" onClick={chat.newChat}>
              New chat
            </Button>
          )}
        </div>
      }
    >
      <LevelToggle level={level} onChange={setLevel} />
      {state.title && state.turns.length > 0 && <p className="chat-page__title">{state.title}</p>}
      {opening && <p role="status">Opening your conversation…</p>}
      {openError !== null && state.turns.length === 0 && (
        <p className="chat-page__alert" role="alert">
          {describeError(openError)} You can start a new chat below.
        </p>
      )}
      {state.turns.length === 0 && !opening ? (
        <StarterQuestions onAsk={ask} disabled={busy} />
      ) : (
        <ChatLog
          turns={state.turns}
          busy={busy}
          onRegenerate={chat.regenerate}
          onSimpler={chat.explainSimpler}
          onAsk={ask}
        />
      )}
      <div ref={endRef} className="chat-page__end" />
      <Announcer turns={state.turns.length} lastPhase={state.turns.at(-1)?.reply.phase ?? null} />
      <Composer
        busy={busy}
        onSend={ask}
        onStop={() => {
          if (activeTurn) chat.stop(activeTurn.key);
        }}
      />
      <HistoryDrawer
        open={historyOpen}
        onClose={() => {
          setHistoryOpen(false);
        }}
        currentId={state.conversationId}
        onOpen={(id) => void chat.open(id)}
        onNewChat={chat.newChat}
        onRenamed={chat.renamed}
        onDeleted={(id) => {
          if (id === state.conversationId) chat.newChat();
        }}
      />
    </Page>
  );
}

/**
 * Keeps the newest text in view while it streams, unless the person scrolled up to read: then the
 * page stays where they are.
 */
function useFollowStream(textLength: number, turnCount: number) {
  const endRef = useRef<HTMLDivElement>(null);
  const lastTurns = useRef(turnCount);
  useEffect(() => {
    const end = endRef.current;
    if (!end || turnCount === 0) return; // an empty chat stays at the top
    const newQuestion = turnCount !== lastTurns.current;
    lastTurns.current = turnCount;
    const distance = document.documentElement.scrollHeight - (window.scrollY + window.innerHeight);
    if (newQuestion || distance < 240) end.scrollIntoView({ block: 'end' });
  }, [textLength, turnCount]);
  return endRef;
}

const ANNOUNCEMENTS: Partial<Record<string, string>> = {
  done: 'The answer is ready.',
  stopped: 'The answer was stopped.',
  failed: 'The answer could not be finished.',
};

/** Tells screen-reader users when an answer ends, without reading every streamed word. */
function Announcer({ turns, lastPhase }: { turns: number; lastPhase: string | null }) {
  const message = turns > 0 && lastPhase ? (ANNOUNCEMENTS[lastPhase] ?? '') : '';
  return (
    <p className="visually-hidden" role="status" aria-live="polite">
      {message}
    </p>
  );
}
