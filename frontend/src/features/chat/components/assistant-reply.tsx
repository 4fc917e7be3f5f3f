import { useEffect, useRef, useState } from 'react';

import { WarningIcon } from '@/components/icons';
import { Badge } from '@/components/ui/badge';
import { type ReadingLevel } from '@/lib/api';
import { formatReadingGrade } from '@/lib/format';

import { describeReplyError } from '../api/chat-errors';
import { LEVEL_LABELS } from '../api/levels';
import { isActive, type ReplyState, simplerLevel } from '../api/reply';
import { ReplyText } from './reply-text';
import { SourceChips } from './source-chips';

export interface AssistantReplyProps {
  reply: ReplyState;
  level: ReadingLevel;
  /** Only the newest answer offers follow-up questions. */
  latest: boolean;
  busy: boolean;
  onRegenerate: () => void;
  onSimpler: () => void;
  onAsk: (question: string) => void;
}

/** One answer: streamed text, what the tutor is doing, sources, badges, actions and follow-ups. */
export function AssistantReply({ reply, level, latest, busy, onRegenerate, onSimpler, onAsk }: AssistantReplyProps) {
  const classes = [
    'chat-reply',
    reply.warning && 'chat-reply--warning',
    reply.phase === 'failed' && 'chat-reply--failed',
  ]
    .filter(Boolean)
    .join(' ');
  const active = isActive(reply);
  return (
    <article className={classes} aria-label="EAILI5’s answer" aria-busy={active}>
      {reply.warning && (
        <p className="chat-reply__warning-title">
          <WarningIcon /> Safety warning
        </p>
      )}
      <ReplyProgress reply={reply} />
      {reply.text && <ReplyText text={reply.text} finished={reply.finished} />}
      {reply.phase === 'stopped' && (
        <p className="chat-reply__stopped">
          <Badge>Stopped</Badge> You stopped this answer.
        </p>
      )}
      {reply.error && (
        <p className="chat-reply__error" role="alert">
          {describeReplyError(reply.error)}
        </p>
      )}
      <ReplyBadges reply={reply} />
      <SourceChips sources={reply.sources} />
      {reply.finished && (reply.messageId !== null || reply.error !== null) && (
        <ReplyActions reply={reply} level={level} busy={busy} onRegenerate={onRegenerate} onSimpler={onSimpler} />
      )}
      {latest && reply.phase === 'done' && reply.suggestions.length > 0 && (
        <Suggestions suggestions={reply.suggestions} disabled={busy} onAsk={onAsk} />
      )}
    </article>
  );
}

function ReplyProgress({ reply }: { reply: ReplyState }) {
  let text: string | null = null;
  if (reply.phase === 'reconnecting') text = 'Connection lost — picking up where we left off…';
  else if (isActive(reply)) text = reply.status ?? (reply.text ? null : 'Thinking…');
  if (!text) return null;
  return (
    <p className="chat-reply__status" role="status">
      <span className="chat-reply__spinner" aria-hidden="true" />
      {text}
    </p>
  );
}

function ReplyBadges({ reply }: { reply: ReplyState }) {
  if (!reply.finished) return null;
  const offline = reply.engine === 'offline';
  const items = [];
  if (reply.grade !== null && reply.text) {
    items.push(
      <span key="grade" className="chat-reply__grade">
        <Badge>
          <span aria-hidden="true">Grade {formatReadingGrade(reply.grade)}</span>
          <span className="visually-hidden">Reading grade {formatReadingGrade(reply.grade)} (US school year)</span>
        </Badge>
      </span>,
    );
  }
  if (reply.fallbackReason)
    items.push(
      <Badge key="fallback" tone="warning">
        Backup answer
      </Badge>,
    );
  else if (offline)
    items.push(
      <Badge key="offline" tone="info">
        Offline tutor
      </Badge>,
    );
  if (items.length === 0) return null;
  return (
    <div className="chat-reply__badges">
      {items}
      {reply.fallbackReason && (
        <p className="chat-reply__fallback">
          The AI model did not answer in time, so EAILI5’s offline tutor answered from its own cards.
        </p>
      )}
    </div>
  );
}

interface ReplyActionsProps {
  reply: ReplyState;
  level: ReadingLevel;
  busy: boolean;
  onRegenerate: () => void;
  onSimpler: () => void;
}

function ReplyActions({ reply, level, busy, onRegenerate, onSimpler }: ReplyActionsProps) {
  const simpler = simplerLevel(level);
  return (
    <div className="chat-reply__actions" role="group" aria-label="Answer actions">
      {reply.text && <CopyButton text={reply.text} />}
      <button type="button" className="chat-action" disabled={busy} onClick={onRegenerate}>
        {reply.phase === 'failed' ? 'Try again' : 'Regenerate'}
      </button>
      {simpler && reply.text && (
        <button type="button" className="chat-action" disabled={busy} onClick={onSimpler}>
          Explain simpler <span className="visually-hidden">({LEVEL_LABELS[simpler]})</span>
        </button>
      )}
    </div>
  );
}

function CopyButton({ text }: { text: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed'); // no clipboard access (some webviews, http pages)
    }
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      setState('idle');
    }, 2000);
  };
  return (
    <button type="button" className="chat-action" onClick={() => void copy()} aria-live="polite">
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Could not copy' : 'Copy'}
    </button>
  );
}

function Suggestions({
  suggestions,
  disabled,
  onAsk,
}: {
  suggestions: string[];
  disabled: boolean;
  onAsk: (q: string) => void;
}) {
  return (
    <section className="chat-suggestions" aria-label="Ask next">
      <ul className="chat-chips">
        {suggestions.map((suggestion) => (
          <li key={suggestion}>
            <button
              type="button"
              className="chat-chip chat-chip--question"
              disabled={disabled}
              onClick={() => {
                onAsk(suggestion);
              }}
            >
              {suggestion}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
