import { describe, expect, it } from 'vitest';

import { describeReplyError } from './chat-errors';
import {
  emptyReply,
  isActive,
  mergeSources,
  type ReplyAction,
  replyReducer,
  type ReplyState,
  simplerLevel,
} from './reply';

const IDS = { id: 'chat-1', message_id: 'm-1', conversation_id: 'c-1' };

function frame(type: string, offset: number, fields: Record<string, unknown> = {}): ReplyAction {
  return { type: 'frame', frame: { type, offset, ...IDS, ...fields } };
}

function run(actions: ReplyAction[], start: ReplyState = emptyReply()): ReplyState {
  return actions.reduce(replyReducer, start);
}

const DONE = {
  intent: 'concept',
  grade: 3.4,
  suggestions: ['a?', 'b?', 'c?', 'd?'],
  engine: 'offline',
  warning: false,
  fallback_reason: null,
  status: 'complete',
};

describe('replyReducer: streaming', () => {
  it('assembles deltas in order, shows the status, then finishes with the done fields', () => {
    const working = run([frame('chat.status', 0, { text: 'Looking through my cards…' })]);
    expect(working.status).toBe('Looking through my cards…');
    expect(working.phase).toBe('streaming');
    const reply = run([
      frame('chat.status', 0, { text: 'Looking through my cards…' }),
      frame('chat.delta', 1, { text: 'Slippage is ' }),
      frame('chat.delta', 2, { text: 'when the price moves.' }),
      frame('chat.sources', 3, { sources: [{ kind: 'card', title: 'Slippage', id: 'slippage' }] }),
    ]);
    expect(reply.text).toBe('Slippage is when the price moves.');
    expect(reply.status).toBeNull(); // text arrived: the status line gave way
    expect(reply.phase).toBe('streaming');
    expect(reply.messageId).toBe('m-1');
    expect(reply.conversationId).toBe('c-1');
    expect(reply.nextOffset).toBe(4);
    expect(reply.sources).toEqual([
      { kind: 'card', title: 'Slippage', id: 'slippage', url: null, source: null, as_of: null },
    ]);
    expect(isActive(reply)).toBe(true);

    const done = replyReducer(reply, frame('chat.done', 4, DONE));
    expect(done.phase).toBe('done');
    expect(done.finished).toBe(true);
    expect(done.status).toBeNull();
    expect(done.grade).toBe(3.4);
    expect(done.engine).toBe('offline');
    expect(done.suggestions).toEqual(['a?', 'b?', 'c?']); // three at most
    expect(isActive(done)).toBe(false);
  });

  it('ignores frames it already has (a resumed stream may repeat) and anything after the end', () => {
    const reply = run([
      frame('chat.delta', 0, { text: 'One. ' }),
      frame('chat.delta', 1, { text: 'Two. ' }),
      frame('chat.delta', 1, { text: 'Two. ' }),
      frame('chat.delta', 0, { text: 'One. ' }),
      frame('chat.delta', 2, { text: 'Three.' }),
      frame('chat.done', 3, DONE),
      frame('chat.delta', 4, { text: 'late' }),
    ]);
    expect(reply.text).toBe('One. Two. Three.');
    expect(reply.nextOffset).toBe(4);
  });

  it('keeps unsafe-looking text as text (rendering decides, the reducer never drops characters)', () => {
    const reply = run([frame('chat.delta', 0, { text: '<img src=x onerror=alert(1)>' })]);
    expect(reply.text).toBe('<img src=x onerror=alert(1)>');
  });

  it('drops malformed sources and duplicates', () => {
    const merged = mergeSources(
      [{ kind: 'card', title: 'Gas', id: 'gas', url: null, source: null, as_of: null }],
      [
        { kind: 'card', title: 'Gas', id: 'gas' },
        { kind: 'evil', title: 'x' },
        'nope',
        { kind: 'web', title: 'Base docs', url: 'https://docs.base.org' },
      ],
    );
    expect(merged.map((source) => source.title)).toEqual(['Gas', 'Base docs']);
  });
});

describe('replyReducer: stop', () => {
  it('marks the reply stopped at once and shows no text that arrives after Stop', () => {
    const stopped = run([
      frame('chat.delta', 0, { text: 'Half an ' }),
      { type: 'stop' },
      frame('chat.delta', 1, { text: 'answer' }),
    ]);
    expect(stopped.phase).toBe('stopped');
    expect(stopped.text).toBe('Half an ');
    expect(isActive(stopped)).toBe(false);
    const done = replyReducer(stopped, frame('chat.done', 2, { ...DONE, status: 'stopped' }));
    expect(done.phase).toBe('stopped');
    expect(done.finished).toBe(true);
    expect(done.nextOffset).toBe(3);
  });

  it('stays stopped when the server had already finished, and a late error is not shown', () => {
    const afterDone = run([frame('chat.delta', 0, { text: 'x' }), { type: 'stop' }, frame('chat.done', 1, DONE)]);
    expect(afterDone.phase).toBe('stopped');
    const afterError = run([
      { type: 'stop' },
      { type: 'frame', frame: { type: 'error', id: 'chat-1', code: 'not_found', detail: 'gone' } },
    ]);
    expect(afterError.phase).toBe('stopped');
    expect(afterError.error).toBeNull();
    expect(afterError.finished).toBe(true);
  });

  it('does nothing to a finished reply', () => {
    const done = run([frame('chat.done', 0, DONE)]);
    expect(replyReducer(done, { type: 'stop' })).toBe(done);
  });
});

describe('replyReducer: resume offsets', () => {
  it('waits while disconnected and continues the same text from the next offset', () => {
    let reply = run([frame('chat.delta', 0, { text: 'Gas is ' }), frame('chat.delta', 1, { text: 'a small fee ' })]);
    reply = replyReducer(reply, { type: 'disconnected' });
    expect(reply.phase).toBe('reconnecting');
    expect(reply.nextOffset).toBe(2); // what chat.resume asks for
    // The resumed stream starts at offset 2 but a server may resend 1 first.
    reply = run(
      [
        frame('chat.delta', 1, { text: 'a small fee ' }),
        frame('chat.delta', 2, { text: 'you pay.' }),
        frame('chat.done', 3, DONE),
      ],
      reply,
    );
    expect(reply.text).toBe('Gas is a small fee you pay.');
    expect(reply.phase).toBe('done');
  });

  it('ignores a disconnect after the end', () => {
    const done = run([frame('chat.done', 0, DONE)]);
    expect(replyReducer(done, { type: 'disconnected' })).toBe(done);
  });
});

describe('replyReducer: errors', () => {
  it('fails with the server error, keeping what arrived', () => {
    const reply = run([
      frame('chat.delta', 0, { text: 'Partial' }),
      frame('chat.error', 1, { code: 'interrupted', detail: 'This reply stopped arriving. Ask again.' }),
    ]);
    expect(reply.phase).toBe('failed');
    expect(reply.text).toBe('Partial');
    expect(reply.error).toEqual({
      code: 'interrupted',
      detail: 'This reply stopped arriving. Ask again.',
      retryAfter: null,
    });
  });

  it('reads rate limits with their wait (no offset: refused before it started)', () => {
    const reply = run([
      {
        type: 'frame',
        frame: {
          type: 'chat.error',
          id: 'chat-1',
          code: 'rate_limited',
          detail: "That's a lot of questions at once.",
          retry_after: 12.2,
        },
      },
    ]);
    expect(reply.error?.retryAfter).toBe(13);
    expect(describeReplyError(reply.error!)).toBe(
      "That's a lot of questions at once. You can ask again in 13 seconds.",
    );
    const daily = {
      code: 'rate_limited',
      detail: "You have sent today's 300 messages. Come back tomorrow!",
      retryAfter: 3600,
    };
    expect(describeReplyError(daily)).toBe("You have sent today's 300 messages. Come back tomorrow!");
  });

  it('fails a reply the client gave up on (offline)', () => {
    const reply = run([{ type: 'failed', error: { code: 'offline', detail: 'offline', retryAfter: null } }]);
    expect(reply.phase).toBe('failed');
    expect(reply.finished).toBe(true);
  });
});

describe('simplerLevel', () => {
  it('steps down one level and stops at ELI5', () => {
    expect(simplerLevel('pro')).toBe('simple');
    expect(simplerLevel('simple')).toBe('eli5');
    expect(simplerLevel('eli5')).toBeNull();
  });
});
