/**
 * One tutor reply as the screen shows it, built from the `chat.*` frames of the WebSocket
 * (docs/websocket.md): `chat.status`, `chat.delta`, `chat.sources`, then one `chat.done` or
 * `chat.error`. Pure, so the stream's rules are unit-tested: frames are numbered (`offset`), and a
 * frame seen before (a resumed stream starts where we asked, but may repeat) is ignored.
 */
import { type ChatSource, type ReadingLevel } from '@/lib/api';
import { type ReplyFrame } from '@/lib/ws-client';

export type ReplyPhase =
  | 'waiting' // sent (or waiting for the socket), nothing back yet
  | 'streaming'
  | 'reconnecting' // the socket dropped mid-reply; it resumes on reconnect
  | 'done'
  | 'stopped'
  | 'failed';

export interface ReplyError {
  code: string;
  detail: string;
  /** Seconds to wait before asking again (rate limits). */
  retryAfter: number | null;
}

export interface ReplyState {
  messageId: string | null;
  conversationId: string | null;
  /** The offset of the next frame we need: what `chat.resume` asks for after a reconnect. */
  nextOffset: number;
  text: string;
  /** What the tutor is doing right now ("Checking live Base prices…"), while it works. */
  status: string | null;
  sources: ChatSource[];
  suggestions: string[];
  intent: string | null;
  grade: number | null;
  engine: string | null;
  warning: boolean;
  fallbackReason: string | null;
  phase: ReplyPhase;
  error: ReplyError | null;
  /** The person pressed Stop: later text is not shown, even if the server had already sent it. */
  stopRequested: boolean;
  /** A `chat.done` or `chat.error` arrived (or the reply came from history): nothing more will come. */
  finished: boolean;
}

export type ReplyAction =
  | { type: 'frame'; frame: ReplyFrame }
  | { type: 'stop' }
  | { type: 'disconnected' }
  | { type: 'failed'; error: ReplyError }
  /** Stopped while offline: nothing more will be waited for. */
  | { type: 'abandon' };

export function emptyReply(): ReplyState {
  return {
    messageId: null,
    conversationId: null,
    nextOffset: 0,
    text: '',
    status: null,
    sources: [],
    suggestions: [],
    intent: null,
    grade: null,
    engine: null,
    warning: false,
    fallbackReason: null,
    phase: 'waiting',
    error: null,
    stopRequested: false,
    finished: false,
  };
}

/** Still arriving (or about to): the Stop button shows and the composer waits. */
export function isActive(reply: ReplyState): boolean {
  return !reply.finished && !reply.stopRequested;
}

export function replyReducer(reply: ReplyState, action: ReplyAction): ReplyState {
  switch (action.type) {
    case 'frame':
      return applyFrame(reply, action.frame);
    case 'stop':
      if (reply.finished) return reply;
      return { ...reply, stopRequested: true, phase: 'stopped', status: null };
    case 'disconnected':
      if (reply.finished || reply.stopRequested) return reply;
      return { ...reply, phase: 'reconnecting' };
    case 'failed':
      if (reply.finished) return reply;
      return { ...reply, finished: true, phase: 'failed', status: null, error: action.error };
    case 'abandon':
      return reply.finished ? reply : { ...reply, finished: true, phase: 'stopped', status: null };
  }
}

function applyFrame(reply: ReplyState, frame: ReplyFrame): ReplyState {
  if (reply.finished) return reply;
  const offset = typeof frame.offset === 'number' ? frame.offset : null;
  if (offset !== null && offset < reply.nextOffset) return reply; // already applied
  const next: ReplyState = {
    ...reply,
    nextOffset: offset === null ? reply.nextOffset : offset + 1,
    messageId: stringOr(frame.message_id, reply.messageId),
    conversationId: stringOr(frame.conversation_id, reply.conversationId),
  };
  switch (frame.type) {
    case 'chat.status':
      return reply.stopRequested ? next : { ...next, phase: 'streaming', status: stringOr(frame.text, null) };
    case 'chat.delta':
      if (reply.stopRequested) return next;
      // Text means the tools are done for now: the status line gives way (a later status brings it back).
      return { ...next, phase: 'streaming', status: null, text: next.text + stringOr(frame.text, '') };
    case 'chat.sources':
      return { ...next, sources: mergeSources(next.sources, frame.sources) };
    case 'chat.done':
      return finish(next, frame);
    case 'chat.error':
    case 'error':
      // After Stop, a late error (e.g. "no reply with this id" because it had just finished) is moot.
      if (reply.stopRequested) return { ...next, finished: true };
      return { ...next, finished: true, phase: 'failed', status: null, error: errorOf(frame) };
    default:
      return next; // a frame type newer than this app: keep the offset, show nothing
  }
}

function finish(reply: ReplyState, frame: ReplyFrame): ReplyState {
  const serverStatus = frame.status;
  const phase: ReplyPhase =
    reply.stopRequested || serverStatus === 'stopped' ? 'stopped' : serverStatus === 'failed' ? 'failed' : 'done';
  return {
    ...reply,
    finished: true,
    phase,
    status: null,
    intent: stringOr(frame.intent, null),
    grade: typeof frame.grade === 'number' ? frame.grade : null,
    suggestions: Array.isArray(frame.suggestions) ? frame.suggestions.filter(isString).slice(0, 3) : [],
    engine: stringOr(frame.engine, null),
    warning: frame.warning === true,
    fallbackReason: stringOr(frame.fallback_reason, null),
  };
}

export function errorOf(frame: ReplyFrame): ReplyError {
  const retry = frame.retry_after;
  return {
    code: stringOr(frame.code, 'internal'),
    detail: stringOr(frame.detail, 'Something went wrong.'),
    retryAfter: typeof retry === 'number' && Number.isFinite(retry) ? Math.max(0, Math.ceil(retry)) : null,
  };
}

const SOURCE_KINDS = new Set<ChatSource['kind']>([
  'card',
  'market',
  'portfolio',
  'progress',
  'web',
  'knowledge_search',
]);

/** Sources from the frame that look right and are not listed yet. */
export function mergeSources(known: ChatSource[], incoming: unknown): ChatSource[] {
  if (!Array.isArray(incoming)) return known;
  const seen = new Set(known.map(sourceKey));
  const merged = [...known];
  for (const candidate of incoming) {
    const source = toSource(candidate);
    if (!source || seen.has(sourceKey(source))) continue;
    seen.add(sourceKey(source));
    merged.push(source);
  }
  return merged;
}

export function toSource(value: unknown): ChatSource | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const kind = record.kind as ChatSource['kind'];
  if (!SOURCE_KINDS.has(kind) || typeof record.title !== 'string') return null;
  return {
    kind,
    title: record.title,
    id: stringOr(record.id, null),
    url: stringOr(record.url, null),
    source: stringOr(record.source, null),
    as_of: stringOr(record.as_of, null),
  };
}

function sourceKey(source: ChatSource): string {
  return [source.kind, source.id ?? '', source.url ?? '', source.title].join('|');
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function stringOr<T extends string | null>(value: unknown, fallback: T): string | T {
  return typeof value === 'string' ? value : fallback;
}

/** The level one step simpler than `level`, or null at ELI5 ("Explain simpler"). */
export function simplerLevel(level: ReadingLevel): ReadingLevel | null {
  if (level === 'pro') return 'simple';
  if (level === 'simple') return 'eli5';
  return null;
}
