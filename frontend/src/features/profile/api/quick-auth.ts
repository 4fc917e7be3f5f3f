import { type FarcasterSignInResult, signInWithFarcaster, type User } from '@/lib/api';
import { queryClient } from '@/lib/query-client';
import { rotateSession } from '@/lib/session';

import { meQueryOptions } from './me';

/** A host that never answers getToken() must not leave a request pending forever. */
export const QUICK_AUTH_TIMEOUT_MS = 5000;

/** The part of `@farcaster/miniapp-sdk`'s `sdk` Quick Auth uses. */
export interface QuickAuthSdk {
  quickAuth?: { getToken: () => Promise<{ token: string }> };
}

export interface QuickAuthDeps {
  /** Who is signed in now (an already linked account needs no new session). */
  currentUser: () => Promise<User>;
  /** POST /api/auth/farcaster; resolves with the new session. */
  signIn: (token: string) => Promise<FarcasterSignInResult>;
  /** Adopts the rotated token (the old one stops working at once). */
  rotate: (signIn: () => Promise<string>) => Promise<string>;
  log: (message: string, error?: unknown) => void;
  timeoutMs: number;
}

const DEFAULT_DEPS: QuickAuthDeps = {
  currentUser: () => queryClient.query(meQueryOptions),
  signIn: (token) => signInWithFarcaster(token),
  rotate: rotateSession,
  log: (message, error) => {
    console.warn(`Farcaster Quick Auth: ${message}`, error ?? '');
  },
  timeoutMs: QUICK_AUTH_TIMEOUT_MS,
};

function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  return Promise.race([
    promise,
    new Promise<null>((resolve) =>
      setTimeout(() => {
        resolve(null);
      }, ms),
    ),
  ]);
}

/**
 * Inside a mini app host: link the person's Farcaster account (FID) to this account, or sign this
 * guest in to the account the FID is already linked to, with a Quick Auth token the host signs.
 * Skipped when the account already has a FID (no needless new session). Best effort and never
 * awaited by the UI: every failure is logged and leaves the current session as it was. The session
 * rotation refreshes every query (providers.tsx), so the profile then shows the linked account.
 */
export async function linkFarcasterAccount(
  sdk: QuickAuthSdk,
  deps: Partial<QuickAuthDeps> = {},
): Promise<FarcasterSignInResult | null> {
  const { currentUser, signIn, rotate, log, timeoutMs } = { ...DEFAULT_DEPS, ...deps };
  try {
    if (!sdk.quickAuth) return null;
    const me = await currentUser();
    if (me.farcaster_fid) return null;
    const issued = await within(sdk.quickAuth.getToken(), timeoutMs);
    if (!issued?.token) {
      log('the host gave no token in time');
      return null;
    }
    let result: FarcasterSignInResult | null = null;
    await rotate(async () => {
      result = await signIn(issued.token);
      return result.token;
    });
    return result;
  } catch (error) {
    log('not linked', error);
    return null;
  }
}
