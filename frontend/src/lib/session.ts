import { createSession } from '@/client/sdk.gen';

import { ApiError } from './api-error';
import { send } from './api-client';
import { clearToken, readToken, writeToken } from './session-token';

/**
 * Guest-first sessions: the first visit creates a guest session without asking anything, and a
 * token the server no longer accepts (expired, revoked, database reset) is replaced by a fresh
 * guest session instead of leaving the person stuck on an error.
 */

let pendingSession: Promise<string> | null = null;
const renewalListeners = new Set<() => void>();

/**
 * Called after a rejected session was replaced: the user is now a different (new guest) user, so
 * cached data and the WebSocket's authentication belong to someone else. Not called on a first visit.
 */
export function onSessionRenewed(listener: () => void): () => void {
  renewalListeners.add(listener);
  return () => renewalListeners.delete(listener);
}

async function createGuestSession(): Promise<string> {
  const isRenewal = readToken() !== null;
  // Do not send a stale token along with the request that replaces it.
  clearToken();
  const session = await send((signal) => createSession({ signal }));
  writeToken(session.token);
  if (isRenewal) {
    renewalListeners.forEach((listener) => {
      listener();
    });
  }
  return session.token;
}

function startGuestSession(): Promise<string> {
  // Single flight: the first query and the WebSocket ask at the same moment on a first visit.
  pendingSession ??= createGuestSession().finally(() => {
    pendingSession = null;
  });
  return pendingSession;
}

let pendingRotation: Promise<string> | null = null;

/**
 * Runs a sign-in that replaces this browser's token (`rotate` resolves to the new one), then stores
 * it and runs the renewal listeners: the user may have changed (the guest merged into a wallet user).
 * Meanwhile the server closes the old token's sockets, so a rejection of the old token waits for
 * the new one instead of starting a fresh guest that would overwrite it.
 */
export function rotateSession(rotate: () => Promise<string>): Promise<string> {
  const rotation = rotate().then((token) => {
    writeToken(token);
    renewalListeners.forEach((listener) => {
      listener();
    });
    return token;
  });
  pendingRotation = rotation;
  const done = () => {
    if (pendingRotation === rotation) pendingRotation = null;
  };
  rotation.then(done, done);
  return rotation;
}

/** The current token, creating a guest session first if there is none. */
export function ensureSession(): Promise<string> {
  if (pendingSession) return pendingSession;
  const token = readToken();
  return token ? Promise.resolve(token) : startGuestSession();
}

/**
 * Replaces `rejectedToken` with a new guest session. If another caller already replaced it,
 * returns that newer token instead of creating yet another session.
 */
export function renewSession(rejectedToken: string | null): Promise<string> {
  // A refused sign-in leaves the old token as it was: renew as usual then.
  if (pendingRotation) return pendingRotation.catch(() => renewSession(rejectedToken));
  if (pendingSession) return pendingSession;
  const current = readToken();
  if (current && current !== rejectedToken) return Promise.resolve(current);
  return startGuestSession();
}

/** Runs an authenticated call; on 401 renews the session once and tries again. */
export async function withSession<T>(call: () => Promise<T>): Promise<T> {
  const token = await ensureSession();
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ApiError && error.isUnauthorized)) throw error;
    await renewSession(token);
    return call();
  }
}
