import { afterEach, describe, expect, it, vi } from 'vitest';

import { ApiError, type FarcasterSignInResult, type User } from '@/lib/api';
import { readToken, writeToken } from '@/lib/session-token';

import { linkFarcasterAccount, type QuickAuthSdk } from './quick-auth';

const GUEST: User = {
  id: '0b7e4c1e-5d1a-4f3e-9a57-2f1d9c3b8a10',
  wallet_address: null,
  is_guest: true,
  farcaster_fid: null,
  created_at: '2026-11-26T14:00:00Z',
  preferences: { reading_level: 'eli5', time_zone: 'UTC' },
};
const FID = 6841;
const JWT = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOjY4NDF9.c2ln';

/** A host's `sdk` as @farcaster/miniapp-sdk shapes it: quickAuth.getToken() resolves to {token}. */
function fakeSdk(getToken: () => Promise<{ token: string }>) {
  const spy = vi.fn(getToken);
  return { sdk: { quickAuth: { getToken: spy } } satisfies QuickAuthSdk, getToken: spy };
}

function signedIn(token: string): FarcasterSignInResult {
  return {
    token,
    expires_at: '2026-12-26T14:00:00Z',
    user: { ...GUEST, farcaster_fid: FID },
    fid: FID,
    linked: true,
    merged_guest: false,
  };
}

describe('linkFarcasterAccount', () => {
  afterEach(() => {
    localStorage.clear();
  });

  it('sends the host-signed token and adopts the rotated session token', async () => {
    writeToken('old-session-token');
    const { sdk, getToken } = fakeSdk(() => Promise.resolve({ token: JWT }));
    const signIn = vi.fn((token: string) => Promise.resolve(signedIn(`new-for-${token.length}`)));
    const log = vi.fn();

    const result = await linkFarcasterAccount(sdk, { currentUser: () => Promise.resolve(GUEST), signIn, log });

    expect(getToken).toHaveBeenCalledTimes(1);
    expect(signIn).toHaveBeenCalledWith(JWT);
    expect(result?.fid).toBe(FID);
    expect(readToken()).toBe(`new-for-${JWT.length}`);
    expect(log).not.toHaveBeenCalled();
  });

  it('does nothing when the account already has a FID, or the host has no Quick Auth', async () => {
    const { sdk, getToken } = fakeSdk(() => Promise.resolve({ token: JWT }));
    const signIn = vi.fn();
    const linked = { ...GUEST, farcaster_fid: FID };

    await expect(linkFarcasterAccount(sdk, { currentUser: () => Promise.resolve(linked), signIn })).resolves.toBeNull();
    await expect(linkFarcasterAccount({}, { currentUser: () => Promise.resolve(GUEST), signIn })).resolves.toBeNull();
    expect(getToken).not.toHaveBeenCalled();
    expect(signIn).not.toHaveBeenCalled();
  });

  it('gives up, logged, when the host never answers getToken()', async () => {
    writeToken('old-session-token');
    const { sdk } = fakeSdk(() => new Promise(() => undefined));
    const signIn = vi.fn();
    const log = vi.fn();

    const result = await linkFarcasterAccount(sdk, {
      currentUser: () => Promise.resolve(GUEST),
      signIn,
      log,
      timeoutMs: 20,
    });

    expect(result).toBeNull();
    expect(signIn).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith('the host gave no token in time');
    expect(readToken()).toBe('old-session-token');
  });

  it('keeps the current session when the server refuses or the host throws, and logs why', async () => {
    writeToken('old-session-token');
    const refused = new ApiError(409, 'FarcasterConflict', 'This Farcaster account belongs to another account.');
    const log = vi.fn();
    const { sdk } = fakeSdk(() => Promise.resolve({ token: JWT }));

    await expect(
      linkFarcasterAccount(sdk, {
        currentUser: () => Promise.resolve(GUEST),
        signIn: () => Promise.reject(refused),
        log,
      }),
    ).resolves.toBeNull();
    const throwing = fakeSdk(() => Promise.reject(new Error('RejectedByUser'))).sdk;
    await expect(
      linkFarcasterAccount(throwing, { currentUser: () => Promise.resolve(GUEST), signIn: vi.fn(), log }),
    ).resolves.toBeNull();

    expect(log).toHaveBeenNthCalledWith(1, 'not linked', refused);
    expect(log).toHaveBeenNthCalledWith(2, 'not linked', expect.objectContaining({ message: 'RejectedByUser' }));
    expect(readToken()).toBe('old-session-token');
  });
});
