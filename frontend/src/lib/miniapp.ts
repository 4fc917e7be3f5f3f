import { useSyncExternalStore } from 'react';

/**
 * The optional Farcaster mini app layer. Hosts (Farcaster clients, some wallets) show a splash
 * screen until the app calls `sdk.actions.ready()`, but both the SDK's handshake and `ready()` are
 * known to hang in some hosts. So: load the SDK only inside a frame or a React Native webview, ask
 * `isInMiniApp()` with a ~1 s limit, call `ready()` only on a yes, and never let the app wait on any
 * of it. The host's context may give a display name to greet with; identity comes only from sign-in.
 */
export const MINI_APP_TIMEOUT_MS = 1000;
/** Loading the SDK chunk on a slow phone can take a while; past this we give up on the mini app layer. */
export const MINI_APP_LOAD_TIMEOUT_MS = 5000;

interface MiniAppContext {
  user?: { displayName?: string; username?: string } | null;
}

/** The part of `@farcaster/miniapp-sdk`'s `sdk` this app uses. */
export interface MiniAppSdk {
  isInMiniApp: (timeoutMs?: number) => Promise<boolean>;
  actions: { ready: () => Promise<unknown> };
  context: Promise<MiniAppContext | undefined>;
  /** Quick Auth: a JWT the host signs for the person's Farcaster ID (features/profile/api/quick-auth.ts). */
  quickAuth?: { getToken: () => Promise<{ token: string }> };
}

interface MiniAppWindow {
  parent: unknown;
  ReactNativeWebView?: unknown;
}

let displayName: string | null = null;
const listeners = new Set<() => void>();

function setDisplayName(name: string | null): void {
  displayName = name;
  listeners.forEach((listener) => {
    listener();
  });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The name the mini app host knows the person by, or null outside a mini app. For greeting only. */
export function useMiniAppDisplayName(): string | null {
  return useSyncExternalStore(subscribe, () => displayName);
}

/** Outside a frame and a React Native webview no host can be listening: do not even load the SDK. */
export function mightBeInMiniApp(win: MiniAppWindow): boolean {
  return win.parent !== win || Boolean(win.ReactNativeWebView);
}

function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return Promise.race([
    promise.catch(() => fallback),
    new Promise<T>((resolve) =>
      setTimeout(() => {
        resolve(fallback);
      }, ms),
    ),
  ]);
}

function nameFrom(context: MiniAppContext | null | undefined): string | null {
  const name = context?.user?.displayName ?? context?.user?.username;
  return name?.trim() ? name.trim().slice(0, 40) : null;
}

export interface StartMiniAppOptions {
  win?: MiniAppWindow;
  loadSdk?: () => Promise<MiniAppSdk>;
  timeoutMs?: number;
  /** Runs once the host is confirmed (e.g. Quick Auth); fire and forget, its failures are its own. */
  onInside?: (sdk: MiniAppSdk) => void;
}

async function loadFarcasterSdk(): Promise<MiniAppSdk> {
  const { sdk } = await import('@farcaster/miniapp-sdk');
  return sdk;
}

/**
 * Resolves to whether the app runs inside a mini app host. Call without awaiting: it settles within
 * about MINI_APP_TIMEOUT_MS after the SDK loads whatever the host does, and never throws.
 */
export async function startMiniApp({
  win = window,
  loadSdk = loadFarcasterSdk,
  timeoutMs = MINI_APP_TIMEOUT_MS,
  onInside,
}: StartMiniAppOptions = {}): Promise<boolean> {
  if (!mightBeInMiniApp(win)) return false;
  const sdk = await within<MiniAppSdk | null>(loadSdk(), MINI_APP_LOAD_TIMEOUT_MS, null);
  if (!sdk) return false;
  // Our own limit too: the SDK's timeout is its promise to keep, not ours to rely on.
  const inside = await within(sdk.isInMiniApp(timeoutMs), timeoutMs + 100, false);
  if (!inside) return false;
  // Fire and forget: a host that never answers must not keep anything waiting.
  void sdk.actions.ready().catch(() => undefined);
  void within(sdk.context, timeoutMs, undefined).then((context) => {
    setDisplayName(nameFrom(context));
  });
  try {
    onInside?.(sdk);
  } catch {
    // Its own business: the mini app layer is up either way.
  }
  return true;
}
