import { describe, expect, it, vi } from 'vitest';

import { onSessionRenewed, renewSession, rotateSession } from './session';
import { readToken, writeToken } from './session-token';

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** Counts new guest sessions: a sign-in must never end in one. */
function guestSessionApi() {
  const created = vi.fn();
  vi.stubGlobal(
    'fetch',
    vi.fn(() => {
      created();
      return Promise.resolve(json(201, { token: 'guest-new', expires_at: '2026-12-26T00:00:00Z', user: {} }));
    }),
  );
  return created;
}

describe('rotateSession (wallet sign-in)', () => {
  it('stores the new token and tells the listeners once', async () => {
    writeToken('guest-old');
    const renewed = vi.fn();
    const stop = onSessionRenewed(renewed);
    await expect(rotateSession(() => Promise.resolve('wallet-token'))).resolves.toBe('wallet-token');
    stop();
    expect(readToken()).toBe('wallet-token');
    expect(renewed).toHaveBeenCalledTimes(1);
  });

  it('makes a rejection of the old token during sign-in wait for the new one, not start a guest', async () => {
    writeToken('guest-old');
    const created = guestSessionApi();
    let finishVerify: (token: string) => void = () => undefined;
    const rotation = rotateSession(() => new Promise<string>((resolve) => (finishVerify = resolve)));

    // The server closes the old token's socket before the verify answer is read.
    const renewal = renewSession('guest-old');
    finishVerify('wallet-token');

    await expect(renewal).resolves.toBe('wallet-token');
    await rotation;
    expect(readToken()).toBe('wallet-token');
    expect(created).not.toHaveBeenCalled();
  });

  it('leaves the old token alone when the sign-in is refused', async () => {
    writeToken('guest-old');
    const renewed = vi.fn();
    const stop = onSessionRenewed(renewed);
    await expect(rotateSession(() => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    stop();
    expect(readToken()).toBe('guest-old');
    expect(renewed).not.toHaveBeenCalled();
    // A later rejection renews as usual again.
    const created = guestSessionApi();
    await expect(renewSession('guest-old')).resolves.toBe('guest-new');
    expect(created).toHaveBeenCalledTimes(1);
  });
});
