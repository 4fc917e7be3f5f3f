/**
 * One multiplexed WebSocket per app (see docs: `/ws` protocol). The client authenticates with the
 * first frame, keeps the connection alive with pings, reconnects with jittered exponential backoff
 * and replays channel subscriptions after every reconnect, so components just `subscribe()` once.
 */

export type ConnectionState = 'connecting' | 'connected' | 'offline';

export type ServerFrame =
  | { type: 'ready'; user_id: string; connection_id: string }
  | { type: 'pong'; id: string }
  | { type: 'subscribed' | 'unsubscribed'; id: string; channel: string }
  | { type: 'message'; channel: string; data: unknown }
  | { type: 'error'; id: string | null; code: string; detail: string };

export type ClientFrame =
  | { type: 'auth'; token: string }
  | { type: 'ping'; id: string }
  | { type: 'subscribe'; id: string; channel: string }
  | { type: 'unsubscribe'; id: string; channel: string };

export type ChannelHandler = (data: unknown) => void;

/**
 * A request of a feature protocol sent over the shared socket (e.g. `chat.send`). The server echoes
 * `id` on every frame that answers it, so ids must be unique per connection: use `newRequestId()`.
 */
export interface RequestFrame {
  type: string;
  id: string;
  [field: string]: unknown;
}

/** A frame that answers a request (it carries the request's `id`), e.g. `chat.delta` or `error`. */
export interface ReplyFrame {
  type: string;
  id: string | number;
  [field: string]: unknown;
}

export type ReplyHandler = (frame: ReplyFrame) => void;

/** The part of the browser WebSocket this client uses, so tests can substitute a fake. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

const SOCKET_OPEN = 1;
/** The server closes with this when the token is missing, expired or revoked. */
export const CLOSE_AUTH_REJECTED = 4401;
/** We close with this when the server stopped answering pings (a half-open connection). */
export const CLOSE_PING_TIMEOUT = 4000;

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };
export const PING_INTERVAL_MS = 20_000;

/**
 * Delay before reconnect attempt `attempt` (0-based). "Equal jitter": half of the exponential
 * ceiling is fixed, half random. The random half spreads out thousands of phones reconnecting after
 * a deploy; the fixed half keeps a floor so a flapping server is not hammered.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random = Math.random): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt));
  return ceiling / 2 + random() * (ceiling / 2);
}

export interface WsClientOptions {
  /** Resolved on every connect, so a changed API base URL or origin is picked up. */
  url: () => string;
  /** The session token sent as the first frame; may create a guest session. */
  getToken: () => Promise<string>;
  /** Called with the token the server rejected (close 4401) before reconnecting. */
  onAuthRejected?: (rejectedToken: string) => Promise<unknown>;
  createSocket?: (url: string) => SocketLike;
  backoff?: BackoffOptions;
  pingIntervalMs?: number;
  random?: () => number;
}

function isServerFrame(value: unknown): value is ServerFrame {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

export function parseServerFrame(raw: unknown): ServerFrame | null {
  if (typeof raw !== 'string') return null;
  try {
    const frame: unknown = JSON.parse(raw);
    return isServerFrame(frame) ? frame : null;
  } catch {
    return null;
  }
}

export class WsClient {
  private readonly options: Required<Omit<WsClientOptions, 'onAuthRejected'>> & Pick<WsClientOptions, 'onAuthRejected'>;
  private readonly channels = new Map<string, Set<ChannelHandler>>();
  private readonly stateListeners = new Set<() => void>();
  private readonly replyHandlers = new Map<string, ReplyHandler>();
  private state: ConnectionState = 'offline';
  private socket: SocketLike | null = null;
  private running = false;
  /** Bumped by stop() so a connect() that is still awaiting a token gives up. */
  private generation = 0;
  private attempt = 0;
  private frameCounter = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private unansweredPing: string | null = null;
  private connectedUserId: string | null = null;

  constructor(options: WsClientOptions) {
    this.options = {
      createSocket: (url) => new WebSocket(url),
      backoff: DEFAULT_BACKOFF,
      pingIntervalMs: PING_INTERVAL_MS,
      random: Math.random,
      ...options,
    };
  }

  /** Current state; stable between changes, as useSyncExternalStore requires. */
  readonly getState = (): ConnectionState => this.state;

  /** The user the server authenticated this connection as (from the `ready` frame). */
  get userId(): string | null {
    return this.connectedUserId;
  }

  readonly onStateChange = (listener: () => void): (() => void) => {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  };

  start(): void {
    if (this.running) return;
    this.running = true;
    window.addEventListener('online', this.reconnectNowIfWaiting);
    document.addEventListener('visibilitychange', this.reconnectNowIfWaiting);
    void this.connect();
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.generation += 1;
    window.removeEventListener('online', this.reconnectNowIfWaiting);
    document.removeEventListener('visibilitychange', this.reconnectNowIfWaiting);
    this.clearReconnectTimer();
    this.discardSocket(1000, 'client stopped');
    this.setState('offline');
  }

  /** Drops the current connection and connects again now, e.g. because the session changed. */
  reconnect(): void {
    if (!this.running) return;
    this.clearReconnectTimer();
    this.discardSocket(1000, 'reconnecting');
    this.attempt = 0;
    void this.connect();
  }

  /**
   * Receives `data` of every message on `channel` until the returned function is called.
   * The subscription survives reconnects; the server is told only about the first handler
   * and after the last one leaves.
   */
  subscribe(channel: string, handler: ChannelHandler): () => void {
    let handlers = this.channels.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.channels.set(channel, handlers);
      if (this.state === 'connected') this.sendFrame({ type: 'subscribe', id: this.nextId(), channel });
    }
    handlers.add(handler);
    const ownHandlers = handlers;
    return () => {
      ownHandlers.delete(handler);
      if (ownHandlers.size > 0 || this.channels.get(channel) !== ownHandlers) return;
      this.channels.delete(channel);
      if (this.state === 'connected') this.sendFrame({ type: 'unsubscribe', id: this.nextId(), channel });
    };
  }

  /**
   * Sends a request frame if the socket is connected and authenticated. Returns false when it is
   * not: nothing is queued, because a late chat question or stop could surprise the person; the
   * caller decides what to do after the next reconnect (see `onStateChange`).
   */
  request(frame: RequestFrame): boolean {
    const socket = this.socket;
    if (this.state !== 'connected' || socket?.readyState !== SOCKET_OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  /**
   * Receives every frame that echoes `id` (replies and `error` frames for that request) until the
   * returned function is called. Survives reconnects, so a resumed stream can keep its id.
   */
  onReply(id: string, handler: ReplyHandler): () => void {
    this.replyHandlers.set(id, handler);
    return () => {
      if (this.replyHandlers.get(id) === handler) this.replyHandlers.delete(id);
    };
  }

  /** An id no other request of this page uses (the server rejects a reused chat id). */
  newRequestId(prefix = 'r'): string {
    this.frameCounter += 1;
    return `${prefix}-${Date.now().toString(36)}-${this.frameCounter}-${Math.random().toString(36).slice(2, 8)}`;
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    this.setState('connecting');
    let token: string;
    let socket: SocketLike;
    try {
      token = await this.options.getToken();
      if (generation !== this.generation || !this.running) return;
      socket = this.options.createSocket(this.options.url());
    } catch {
      // No token (API unreachable) or a refused URL: same remedy as a dropped socket.
      if (generation === this.generation && this.running) this.scheduleReconnect();
      return;
    }
    // A connect() that overlapped this one (e.g. reconnect() during a close) must not leak a socket.
    this.discardSocket(1000, 'replaced');
    this.socket = socket;
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: 'auth', token } satisfies ClientFrame));
    };
    socket.onmessage = (event) => {
      this.handleFrame(event.data);
    };
    socket.onclose = (event) => {
      void this.handleClose(socket, event.code, token);
    };
    // Every error is followed by a close event, which is where recovery happens.
    socket.onerror = null;
  }

  private handleFrame(raw: unknown): void {
    const frame = parseServerFrame(raw);
    if (!frame) return; // Not ours or not JSON: ignore rather than drop a working connection.
    if (this.deliverReply(frame)) return;
    switch (frame.type) {
      case 'ready':
        this.attempt = 0;
        this.connectedUserId = frame.user_id;
        this.setState('connected');
        this.startPinging();
        for (const channel of this.channels.keys()) this.sendFrame({ type: 'subscribe', id: this.nextId(), channel });
        return;
      case 'pong':
        if (frame.id === this.unansweredPing) this.unansweredPing = null;
        return;
      case 'message':
        this.dispatch(frame.channel, frame.data);
        return;
      case 'error':
        console.warn(`WebSocket error frame ${frame.code}: ${frame.detail}`);
        return;
      default:
        // subscribed/unsubscribed acknowledgements, and frame types newer than this client.
        return;
    }
  }

  /** Hands a frame that answers a registered request to its handler; false if there is none. */
  private deliverReply(frame: ServerFrame): boolean {
    const id = (frame as { id?: unknown }).id;
    if (typeof id !== 'string' && typeof id !== 'number') return false;
    const handler = this.replyHandlers.get(String(id));
    if (!handler) return false;
    try {
      handler(frame as unknown as ReplyFrame);
    } catch (error) {
      console.error(`Handler for request ${String(id)} failed`, error);
    }
    return true;
  }

  private dispatch(channel: string, data: unknown): void {
    for (const handler of this.channels.get(channel) ?? []) {
      try {
        handler(data);
      } catch (error) {
        // One broken handler must not starve the others or kill the connection.
        console.error(`Handler for channel ${channel} failed`, error);
      }
    }
  }

  private async handleClose(socket: SocketLike, code: number, token: string): Promise<void> {
    if (socket !== this.socket) return; // A socket we already replaced or discarded.
    // Closing an already-closed socket is a no-op; after a missed pong this really closes it.
    this.discardSocket(code === CLOSE_PING_TIMEOUT ? CLOSE_PING_TIMEOUT : 1000, 'closed');
    if (!this.running) return;
    this.setState('offline');
    if (code === CLOSE_AUTH_REJECTED && this.options.onAuthRejected) {
      try {
        await this.options.onAuthRejected(token);
      } catch {
        // Could not renew now (offline?); the next attempt asks for a token again.
      }
    }
    // stop() or a new start() may have run during the await above.
    if (this.isIdle()) this.scheduleReconnect();
  }

  /** Running, but neither connected, connecting nor waiting to reconnect. */
  private isIdle(): boolean {
    return this.running && this.state === 'offline' && this.reconnectTimer === null;
  }

  private startPinging(): void {
    this.stopPinging();
    this.pingTimer = setInterval(() => {
      if (this.unansweredPing !== null) {
        // No pong for a whole interval: the connection is dead even if the browser thinks not.
        const socket = this.socket;
        if (socket) void this.handleClose(socket, CLOSE_PING_TIMEOUT, '');
        return;
      }
      this.unansweredPing = this.nextId();
      this.sendFrame({ type: 'ping', id: this.unansweredPing });
    }, this.options.pingIntervalMs);
  }

  private stopPinging(): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.unansweredPing = null;
  }

  private scheduleReconnect(): void {
    this.clearReconnectTimer();
    this.setState('offline');
    const delay = backoffDelay(this.attempt, this.options.backoff, this.options.random);
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
  }

  /** Back online or back in the foreground: skip the rest of the backoff wait. */
  private readonly reconnectNowIfWaiting = (): void => {
    if (!this.running || this.reconnectTimer === null || document.visibilityState === 'hidden') return;
    this.clearReconnectTimer();
    void this.connect();
  };

  private clearReconnectTimer(): void {
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  /** Detaches and closes the current socket so its late events are ignored. */
  private discardSocket(code: number, reason: string): void {
    this.stopPinging();
    const socket = this.socket;
    this.socket = null;
    this.connectedUserId = null;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close(code, reason);
    } catch {
      // Closing a socket that never opened can throw in some browsers; it is gone either way.
    }
  }

  private sendFrame(frame: ClientFrame): void {
    if (this.socket?.readyState === SOCKET_OPEN) this.socket.send(JSON.stringify(frame));
  }

  private nextId(): string {
    this.frameCounter += 1;
    return `c${this.frameCounter}`;
  }

  private setState(next: ConnectionState): void {
    if (next === this.state) return;
    this.state = next;
    for (const listener of this.stateListeners) listener();
  }
}
