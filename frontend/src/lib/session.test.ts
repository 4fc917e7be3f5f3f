import { describe, expect, it, vi } from 'vitest';

import { fetchMe, type User } from './api';
import { ApiError } from './api-error';
import { onSessionRenewed } from './session';
import { TOKEN_STORAGE_KEY } from './session-token';

const USER: User = {
  id: '7f1c7a6e-0000-4000-8000-000000000001',
  wallet_address: null,
  is_guest: true,
  created_at: '2026-11-26T14:00:00Z',
  preferences: { reading_level: 'eli5', time_zone: 'UTC' },
};

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** A fake API: `POST /api/session` issues token-N; `GET /api/me` accepts only `validToken`. */
function fakeApi(options: { validToken: (lastIssued: string) => string }) {
  let issued = 0;
  const calls: string[] = [];
  const fetchMock = vi.fn((request: Request) => {
    const { pathname } = new URL(request.url);
    const auth = request.headers.get('Authorization');
    calls.push(`${request.method} ${pathname} ${auth ?? '-'}`);
    if (request.method === 'POST' && pathname === '/api/session') {
      issued += 1;
      return Promise.resolve(json(201, { token: `token-${issued}`, expires_at: '2026-12-26T00:00:00Z', user: USER }));
    }
    if (pathname === '/api/me') {
      return Promise.resolve(
        auth === `Bearer ${options.validToken(`token-${issued}`)}`
          ? json(200, USER)
          : json(401, { error: 'Unauthorized', detail: 'Session expired' }),
      );
    }
    return Promise.resolve(json(404, { error: 'NotFound', detail: pathname }));
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls };
}

describe('guest session bootstrap', () => {
  it('creates a guest session on a first visit and sends its token', async () => {
    const { calls } = fakeApi({ validToken: () => 'token-1' });

    await expect(fetchMe()).resolves.toEqual(USER);

    expect(localStorage.getItem(TOKEN_STORAGE_KEY)).toBe('token-1');
    expect(calls).toEqual(['POST /api/session -', 'GET /api/me Bearer token-1']);
  });

  it('reuses a stored token without creating a session', async () => {
    localStorage.setItem(TOKEN_STORAGE_KEY, 'token-9');
    const { calls } = fakeApi({ validToken: () => 'token-9' });

    await fetchMe();

    expect(calls).toEqual(['GET /api/me Bearer token-9']);
  });

  it('replaces a rejected token with a new guest session once, and retries', async () => {
    localStorage.setItem(TOKEN_STORAGE_KEY, 'revoked');
    const { calls } = fakeApi({ validToken: () => 'token-1' });

    await expect(fetchMe()).resolves.toEqual(USER);

    expect(localStorage.getItem(TOKEN_STORAGE_KEY)).toBe('token-1');
    expect(calls).toEqual(['GET /api/me Bearer revoked', 'POST /api/session -', 'GET /api/me Bearer token-1']);
  });

  it('gives up after one renewal instead of looping', async () => {
    const { calls } = fakeApi({ validToken: () => 'never-valid' });

    await expect(fetchMe()).rejects.toMatchObject({ status: 401, kind: 'Unauthorized' });

    expect(calls.filter((call) => call.startsWith('POST'))).toHaveLength(2);
  });

  it('shares one session between concurrent first requests', async () => {
    const { calls } = fakeApi({ validToken: () => 'token-1' });

    await Promise.all([fetchMe(), fetchMe(), fetchMe()]);

    expect(calls.filter((call) => call.startsWith('POST'))).toHaveLength(1);
  });

  it('reports an unreachable API as a network ApiError', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))),
    );

    const error: unknown = await fetchMe().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 0, kind: 'NetworkError', isTransient: true });
  });
});

describe('onSessionRenewed', () => {
  it('fires when a rejected session is replaced, not on a first visit', async () => {
    const listener = vi.fn();
    const unsubscribe = onSessionRenewed(listener);
    try {
      fakeApi({ validToken: (lastIssued) => lastIssued });
      await fetchMe();
      expect(listener).not.toHaveBeenCalled();

      localStorage.setItem(TOKEN_STORAGE_KEY, 'revoked');
      await fetchMe();
      expect(listener).toHaveBeenCalledTimes(1);
    } finally {
      unsubscribe();
    }
  });
});
