/**
 * Wallet sign-in (SIWE), sessions and "my data", as features see them. Re-exported by api.ts; kept in
 * its own file so these changes never collide with other features'.
 */
import {
  deleteMe,
  endSessionById,
  exportMyData as exportMyDataSdk,
  farcasterSignIn as farcasterSignInSdk,
  getNonce,
  listSessions,
  logout,
  verifySignIn as verifySignInSdk,
} from '@/client/sdk.gen';
import type {
  DeleteMeIn,
  ExportOut,
  FarcasterSignedIn,
  NonceOut,
  SessionOut,
  SignedIn,
  SignInFailedBody,
  VerifyIn,
} from '@/client/types.gen';

import { send } from './api-client';
import { ApiError } from './api-error';

export type SignInNonce = NonceOut;
export type SignInRequest = VerifyIn;
export type SignInResult = SignedIn;
export type FarcasterSignInResult = FarcasterSignedIn;
export type SignInRefusalReason = SignInFailedBody['reason'];
export type ActiveSession = SessionOut;
export type MyDataExport = ExportOut;
export type DeleteConfirmation = DeleteMeIn['confirm'];

/** A sign-in the server refused (401 `SignInFailed`), with its machine-readable reason. Nothing changed. */
export class SignInRefusedError extends ApiError {
  constructor(
    readonly reason: SignInRefusalReason,
    detail: string,
  ) {
    super(401, 'SignInFailed', detail);
  }
}

function refusalFrom(body: unknown): SignInRefusedError | null {
  if (typeof body !== 'object' || body === null) return null;
  const { reason, detail } = body as Partial<SignInFailedBody>;
  return typeof reason === 'string' ? new SignInRefusedError(reason, typeof detail === 'string' ? detail : '') : null;
}

/** A fresh single-use nonce for the sign-in message, bound to this session (5 minutes). */
export function fetchSignInNonce(signal?: AbortSignal): Promise<SignInNonce> {
  return send((s) => getNonce({ signal: s }), signal);
}

/**
 * Checks the signed message; on success the guest is merged and the session token rotated (the old
 * token stops working at once). A refusal throws SignInRefusedError.
 */
export function verifySignIn(body: SignInRequest, signal?: AbortSignal): Promise<SignInResult> {
  return send(async (s) => {
    const result = await verifySignInSdk({ body, signal: s });
    // Typed as always present, but undefined when fetch itself failed (see api-client).
    const response = result.response as Response | undefined;
    const refusal = response?.status === 401 ? refusalFrom(result.error) : null;
    if (refusal) throw refusal;
    return result;
  }, signal);
}

/**
 * Farcaster Quick Auth (mini app hosts): the server checks the JWT, then links its FID to this account
 * or signs this guest in to the account the FID belongs to. Like verifySignIn it rotates the session
 * token (use rotateSession). Refusals (401/409/503) are ApiErrors with the server's detail.
 */
export function signInWithFarcaster(token: string, signal?: AbortSignal): Promise<FarcasterSignInResult> {
  return send((s) => farcasterSignInSdk({ body: { token }, signal: s }), signal);
}

/** Ends this session on the server: its token stops working. */
export async function signOutSession(signal?: AbortSignal): Promise<void> {
  await send((s) => logout({ signal: s }), signal);
}

/** The caller's live sessions, most recently used first; `current` marks this one. */
export async function fetchActiveSessions(signal?: AbortSignal): Promise<ActiveSession[]> {
  const body = await send((s) => listSessions({ signal: s }), signal);
  return body.items;
}

/** Ends one of the caller's sessions (another device or browser); 404 when it is not theirs. */
export async function endActiveSession(sessionId: string, signal?: AbortSignal): Promise<void> {
  await send((s) => endSessionById({ path: { session_id: sessionId }, signal: s }), signal);
}

/** Everything the server stores about the caller, one list of rows per table. */
export function exportMyData(signal?: AbortSignal): Promise<MyDataExport> {
  return send((s) => exportMyDataSdk({ signal: s }), signal);
}

/** Deletes the user and all their data; `confirm` must be the exact phrase the server asks for. */
export async function deleteMyData(confirm: DeleteConfirmation, signal?: AbortSignal): Promise<void> {
  await send((s) => deleteMe({ body: { confirm }, signal: s }), signal);
}
