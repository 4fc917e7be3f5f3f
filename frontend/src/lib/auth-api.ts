/**
 * Wallet sign-in (SIWE), sessions and "my data", as features see them. Re-exported by api.ts; kept in
 * its own file so these changes never collide with other features'.
 */
import { client } from '@/client/client.gen';

import { send } from './api-client';
import { type UserOut } from '@/client/types.gen';

export interface SignInNonce {
  nonce: string;
  expires_at?: string;
}

export interface SignInRequest {
  message: string;
  signature: string;
}

export interface SignInResult {
  token: string;
  expires_at: string;
  user: UserOut;
}

export interface ActiveSession {
  id: string;
  created_at: string;
  last_seen_at?: string | null;
  expires_at?: string | null;
  user_agent?: string | null;
  current: boolean;
}

/** Everything the server stores about the caller; shown to them only as a downloaded file. */
export type MyDataExport = Record<string, unknown>;

/** A fresh single-use nonce for the sign-in message, bound to this session (5 minutes). */
export function fetchSignInNonce(signal?: AbortSignal): Promise<SignInNonce> {
  return send((s) => client.get<{ 200: SignInNonce }>({ url: '/api/auth/nonce', signal: s }), signal);
}

/** Checks the signed message; on success the session token is rotated and the guest merged in. */
export function verifySignIn(body: SignInRequest, signal?: AbortSignal): Promise<SignInResult> {
  return send(
    (s) =>
      client.post<{ 200: SignInResult }>({
        url: '/api/auth/verify',
        body,
        headers: { 'Content-Type': 'application/json' },
        signal: s,
      }),
    signal,
  );
}

/** Ends this session on the server: its token stops working. */
export async function signOutSession(signal?: AbortSignal): Promise<void> {
  await send((s) => client.post({ url: '/api/auth/logout', signal: s }), signal);
}

export async function fetchActiveSessions(signal?: AbortSignal): Promise<ActiveSession[]> {
  const body = await send(
    (s) => client.get<{ 200: ActiveSession[] | { items: ActiveSession[] } }>({ url: '/api/auth/sessions', signal: s }),
    signal,
  );
  return Array.isArray(body) ? body : body.items;
}

/** Ends one of the caller's other sessions (another device or browser). */
export async function endActiveSession(sessionId: string, signal?: AbortSignal): Promise<void> {
  await send(
    (s) => client.delete({ url: '/api/auth/sessions/{id}', path: { id: sessionId }, signal: s }),
    signal,
  );
}

export function exportMyData(signal?: AbortSignal): Promise<MyDataExport> {
  return send((s) => client.get<{ 200: MyDataExport }>({ url: '/api/me/export', signal: s }), signal);
}

/** Deletes the user and all their data. `confirmation` is the phrase the person typed. */
export async function deleteMyData(confirmation: string, signal?: AbortSignal): Promise<void> {
  await send(
    (s) =>
      client.delete({
        url: '/api/me',
        body: { confirm: confirmation },
        headers: { 'Content-Type': 'application/json' },
        signal: s,
      }),
    signal,
  );
}
