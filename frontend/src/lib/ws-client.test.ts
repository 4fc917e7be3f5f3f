import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  backoffDelay,
  type ClientFrame,
  type ConnectionState,
  DEFAULT_BACKOFF,
  parseServerFrame,
  type ServerFrame,
  type SocketLike,
  WsClient,
  type WsClientOptions,
} from './ws-client';

/** A WebSocket stand-in the test drives by hand: open it, push frames, close it. */
class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  readonly sent: ClientFrame[] = [];
  closedWith: number | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientFrame);
  }

  close(code = 1000): void {
    this.closedWith = code;
    this.readyState = 3;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  receive(frame: ServerFrame | string): void {
    const data = typeof frame === 'string' ? frame : JSON.stringify(frame);
    this.onmessage?.(new MessageEvent('message', { data }));
  }

  serverClose(code: number): void {
    this.readyState = 3;
    this.onclose?.(new CloseEvent('close', { code }));
  }

  sentOfType<T extends ClientFrame['type']>(type: T): Extract<ClientFrame, { type: T }>[] {
    return this.sent.filter((frame): frame is Extract<ClientFrame, { type: T }> => frame.type === type);
  }
}

const READY: ServerFrame = { type: 'ready', user_id: 'user-1', connection_id: 'conn-1' };

interface Harness {
  client: WsClient;
  sockets: FakeSocket[];
  states: ConnectionState[];
  latest: () => FakeSocket;
  getToken: ReturnType<typeof vi.fn<() => Promise<string>>>;
}

function createHarness(overrides: Partial<WsClientOptions> = {}): Harness {
  const sockets: FakeSocket[] = [];
  const getToken = vi.fn(() => Promise.resolve('token-1'));
  const client = new WsClient({
    url: () => 'ws://test/ws',
    getToken,
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    // Jitter pinned to its floor so delays are exact: attempt n waits baseMs * 2^n / 2.
    random: () => 0,
    ...overrides,
  });
  const states: ConnectionState[] = [];
  client.onStateChange(() => states.push(client.getState()));
  return {
    client,
    sockets,
    states,
    getToken,
    latest: () => {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('no socket was created');
      return socket;
    },
  };
}

/** Starts the client and completes the handshake on the first socket. */
async function connected(harness: Harness): Promise<FakeSocket> {
  harness.client.start();
  await vi.advanceTimersByTimeAsync(0);
  const socket = harness.latest();
  socket.open();
  socket.receive(READY);
  return socket;
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('backoffDelay', () => {
  it('doubles from the base and keeps half of the ceiling fixed', () => {
    const floor = () => 0;
    const top = () => 1;
    expect(backoffDelay(0, DEFAULT_BACKOFF, floor)).toBe(250);
    expect(backoffDelay(0, DEFAULT_BACKOFF, top)).toBe(500);
    expect(backoffDelay(3, DEFAULT_BACKOFF, floor)).toBe(2000);
    expect(backoffDelay(3, DEFAULT_BACKOFF, top)).toBe(4000);
  });

  it('never exceeds the cap, however many attempts failed', () => {
    for (const attempt of [6, 10, 50, 5000]) {
      const delay = backoffDelay(attempt, DEFAULT_BACKOFF, () => 1);
      expect(delay).toBe(DEFAULT_BACKOFF.capMs);
      expect(backoffDelay(attempt, DEFAULT_BACKOFF, () => 0)).toBe(DEFAULT_BACKOFF.capMs / 2);
    }
  });

  it('spreads clients across the jitter range', () => {
    const delays = [0, 0.25, 0.5, 0.75, 0.999].map((r) => backoffDelay(4, DEFAULT_BACKOFF, () => r));
    expect(new Set(delays).size).toBe(delays.length);
    delays.forEach((delay) => {
      expect(delay).toBeGreaterThanOrEqual(4000);
      expect(delay).toBeLessThan(8000);
    });
  });
});

describe('parseServerFrame', () => {
  it('accepts JSON objects with a type', () => {
    expect(parseServerFrame('{"type":"pong","id":"c1"}')).toEqual({ type: 'pong', id: 'c1' });
  });

  it.each(['not json', '42', 'null', '{"id":"no type"}', '[]'])('rejects %s', (raw) => {
    expect(parseServerFrame(raw)).toBeNull();
  });

  it('rejects binary frames', () => {
    expect(parseServerFrame(new ArrayBuffer(4))).toBeNull();
  });
});

describe('WsClient handshake', () => {
  it('sends the token as the first frame and is connected only after "ready"', async () => {
    const harness = createHarness();
    harness.client.start();
    expect(harness.client.getState()).toBe('connecting');
    await vi.advanceTimersByTimeAsync(0);
    const socket = harness.latest();
    expect(socket.url).toBe('ws://test/ws');

    socket.open();
    expect(socket.sent[0]).toEqual({ type: 'auth', token: 'token-1' });
    expect(harness.client.getState()).toBe('connecting');

    socket.receive(READY);
    expect(harness.client.getState()).toBe('connected');
    expect(harness.client.userId).toBe('user-1');
  });

  it('ignores frames it cannot parse without dropping the connection', async () => {
    const harness = createHarness();
    const socket = await connected(harness);
    socket.receive('garbage');
    socket.receive('{"type":"from-the-future"}');
    expect(harness.client.getState()).toBe('connected');
    expect(socket.closedWith).toBeNull();
  });
});

describe('WsClient channels', () => {
  it('delivers message frames to the handlers of their channel only', async () => {
    const harness = createHarness();
    const socket = await connected(harness);
    const system = vi.fn();
    const user = vi.fn();
    harness.client.subscribe('system', system);
    harness.client.subscribe('user:user-1', user);

    socket.receive({ type: 'message', channel: 'system', data: { notice: 'hi' } });

    expect(system).toHaveBeenCalledWith({ notice: 'hi' });
    expect(user).not.toHaveBeenCalled();
  });

  it('subscribes once per channel and unsubscribes when the last handler leaves', async () => {
    const harness = createHarness();
    const socket = await connected(harness);
    const stopFirst = harness.client.subscribe('system', vi.fn());
    const stopSecond = harness.client.subscribe('system', vi.fn());
    expect(socket.sentOfType('subscribe').map((f) => f.channel)).toEqual(['system']);

    stopFirst();
    expect(socket.sentOfType('unsubscribe')).toHaveLength(0);
    stopSecond();
    expect(socket.sentOfType('unsubscribe').map((f) => f.channel)).toEqual(['system']);
  });

  it('keeps delivering to other handlers when one throws', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const harness = createHarness();
    const socket = await connected(harness);
    const healthy = vi.fn();
    harness.client.subscribe('system', () => {
      throw new Error('broken handler');
    });
    harness.client.subscribe('system', healthy);

    socket.receive({ type: 'message', channel: 'system', data: 1 });

    expect(healthy).toHaveBeenCalledWith(1);
  });

  it('subscribes channels requested before the connection was ready', async () => {
    const harness = createHarness();
    harness.client.subscribe('system', vi.fn());
    const socket = await connected(harness);
    expect(socket.sentOfType('subscribe').map((f) => f.channel)).toEqual(['system']);
  });
});

describe('WsClient reconnects', () => {
  it('reconnects with growing backoff and resubscribes after "ready"', async () => {
    const harness = createHarness();
    const first = await connected(harness);
    harness.client.subscribe('system', vi.fn());
    harness.client.subscribe('user:user-1', vi.fn());

    first.serverClose(1012); // server restarting
    expect(harness.client.getState()).toBe('offline');

    await vi.advanceTimersByTimeAsync(249);
    expect(harness.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(harness.sockets).toHaveLength(2);

    // The second attempt fails before opening: the next wait is twice as long.
    harness.latest().serverClose(1006);
    await vi.advanceTimersByTimeAsync(499);
    expect(harness.sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    const third = harness.latest();
    expect(harness.sockets).toHaveLength(3);

    third.open();
    third.receive(READY);
    expect(harness.client.getState()).toBe('connected');
    expect(
      third
        .sentOfType('subscribe')
        .map((f) => f.channel)
        .sort(),
    ).toEqual(['system', 'user:user-1']);
  });

  it('starts the backoff over once a connection was ready again', async () => {
    const harness = createHarness();
    const first = await connected(harness);
    first.serverClose(1006);
    await vi.advanceTimersByTimeAsync(250);
    harness.latest().serverClose(1006);
    await vi.advanceTimersByTimeAsync(500);
    const third = harness.latest();
    third.open();
    third.receive(READY);

    third.serverClose(1001);
    await vi.advanceTimersByTimeAsync(250);
    expect(harness.sockets).toHaveLength(4);
  });

  it('renews the session when the server rejects the token (4401), then reconnects', async () => {
    const onAuthRejected = vi.fn(() => Promise.resolve());
    const harness = createHarness({ onAuthRejected });
    const socket = await connected(harness);
    harness.getToken.mockResolvedValue('token-2');

    socket.serverClose(4401);
    await vi.advanceTimersByTimeAsync(0);
    expect(onAuthRejected).toHaveBeenCalledWith('token-1');

    await vi.advanceTimersByTimeAsync(250);
    const next = harness.latest();
    next.open();
    expect(next.sent[0]).toEqual({ type: 'auth', token: 'token-2' });
  });

  it('retries later when no token can be had (API unreachable)', async () => {
    const harness = createHarness();
    harness.getToken.mockRejectedValueOnce(new Error('offline'));
    harness.client.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(harness.sockets).toHaveLength(0);
    expect(harness.client.getState()).toBe('offline');

    await vi.advanceTimersByTimeAsync(250);
    expect(harness.sockets).toHaveLength(1);
  });

  it('stops for good on stop(), ignoring late events from the old socket', async () => {
    const harness = createHarness();
    const socket = await connected(harness);
    harness.client.stop();
    expect(socket.closedWith).toBe(1000);
    expect(harness.client.getState()).toBe('offline');

    socket.serverClose(1006);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(harness.sockets).toHaveLength(1);
  });

  it('does not open a socket if stopped while waiting for the token', async () => {
    const harness = createHarness();
    harness.client.start();
    harness.client.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(harness.sockets).toHaveLength(0);
  });

  it('skips the rest of the backoff when the browser comes back online', async () => {
    const harness = createHarness({ backoff: { baseMs: 60_000, capMs: 60_000 } });
    const socket = await connected(harness);
    socket.serverClose(1006);
    window.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(harness.sockets).toHaveLength(2);
  });
});

describe('WsClient keep-alive', () => {
  it('pings every interval and stays connected while pongs come back', async () => {
    const harness = createHarness({ pingIntervalMs: 20_000 });
    const socket = await connected(harness);

    await vi.advanceTimersByTimeAsync(20_000);
    const [ping] = socket.sentOfType('ping');
    expect(ping).toBeDefined();
    socket.receive({ type: 'pong', id: ping!.id });

    await vi.advanceTimersByTimeAsync(20_000);
    expect(socket.sentOfType('ping')).toHaveLength(2);
    expect(harness.client.getState()).toBe('connected');
  });

  it('treats a missing pong as a dead connection and reconnects', async () => {
    const harness = createHarness({ pingIntervalMs: 20_000 });
    const socket = await connected(harness);

    await vi.advanceTimersByTimeAsync(40_000);

    expect(socket.closedWith).toBe(4000);
    expect(harness.client.getState()).toBe('offline');
    await vi.advanceTimersByTimeAsync(250);
    expect(harness.sockets).toHaveLength(2);
  });

  it('reports each state change once, in order', async () => {
    const harness = createHarness();
    const socket = await connected(harness);
    socket.serverClose(1006);
    expect(harness.states).toEqual(['connecting', 'connected', 'offline']);
  });
});

describe('WsClient.reconnect', () => {
  it('drops the connection and authenticates again with the current token', async () => {
    const harness = createHarness();
    const first = await connected(harness);
    harness.client.subscribe('system', vi.fn());
    harness.getToken.mockResolvedValue('token-2');

    harness.client.reconnect();
    await vi.advanceTimersByTimeAsync(0);

    expect(first.closedWith).toBe(1000);
    const second = harness.latest();
    expect(harness.sockets).toHaveLength(2);
    second.open();
    expect(second.sent[0]).toEqual({ type: 'auth', token: 'token-2' });
    second.receive(READY);
    expect(second.sentOfType('subscribe').map((f) => f.channel)).toEqual(['system']);
  });

  it('opens exactly one socket when a session renewal reconnects during a 4401 close', async () => {
    let finishRenewal: () => void = () => undefined;
    const harness = createHarness({
      onAuthRejected: () =>
        new Promise<void>((resolve) => {
          finishRenewal = resolve;
        }),
    });
    const socket = await connected(harness);

    socket.serverClose(4401);
    harness.client.reconnect(); // what the app does when the renewal completes
    finishRenewal();
    await vi.advanceTimersByTimeAsync(60_000);

    expect(harness.sockets).toHaveLength(2);
  });

  it('does nothing when the client is stopped', async () => {
    const harness = createHarness();
    harness.client.reconnect();
    await vi.advanceTimersByTimeAsync(1000);
    expect(harness.sockets).toHaveLength(0);
  });
});

describe('WsClient requests (feature protocols such as chat.*)', () => {
  it('sends a request only while connected and routes frames that echo its id', async () => {
    const harness = createHarness();
    expect(harness.client.request({ type: 'chat.send', id: 'q1', text: 'hi' })).toBe(false);
    const socket = await connected(harness);
    const replies = vi.fn();
    const stopListening = harness.client.onReply('q1', replies);

    expect(harness.client.request({ type: 'chat.send', id: 'q1', text: 'hi' })).toBe(true);
    expect(socket.sent.at(-1)).toEqual({ type: 'chat.send', id: 'q1', text: 'hi' });
    socket.receive('{"type":"chat.delta","id":"q1","text":"Hel","offset":1}');
    socket.receive('{"type":"chat.delta","id":"other","text":"x","offset":1}');
    socket.receive('{"type":"error","id":"q1","code":"bad_frame","detail":"nope"}');

    expect(replies.mock.calls.map(([frame]) => (frame as { type: string }).type)).toEqual(['chat.delta', 'error']);
    stopListening();
    socket.receive('{"type":"chat.delta","id":"q1","text":"lo","offset":2}');
    expect(replies).toHaveBeenCalledTimes(2);
  });

  it('keeps reply handlers across a reconnect, so a resumed stream reaches the same handler', async () => {
    const harness = createHarness();
    const first = await connected(harness);
    const replies = vi.fn();
    harness.client.onReply('q2', replies);
    first.serverClose(1012);
    await vi.advanceTimersByTimeAsync(DEFAULT_BACKOFF.baseMs);
    const second = harness.latest();
    second.open();
    second.receive(READY);
    second.receive('{"type":"chat.done","id":"q2","offset":7}');
    expect(replies).toHaveBeenCalledOnce();
  });

  it('makes a new request id every time', () => {
    const harness = createHarness();
    const ids = new Set(Array.from({ length: 50 }, () => harness.client.newRequestId('chat')));
    expect(ids.size).toBe(50);
  });
});
