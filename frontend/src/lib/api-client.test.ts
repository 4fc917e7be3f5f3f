import { describe, expect, it, vi } from 'vitest';

import { REQUEST_TIMEOUT_MS, send } from './api-client';
import { ApiError, apiErrorFromResponse, describeError } from './api-error';

describe('send', () => {
  it('gives up on a request that never answers', async () => {
    vi.useFakeTimers();
    try {
      // What the generated client does when fetch is aborted: resolve with an error, no response.
      const hanging = (signal: AbortSignal) =>
        new Promise<{ error: unknown }>((resolve) => {
          signal.addEventListener('abort', () => {
            resolve({ error: new DOMException('aborted', 'AbortError') });
          });
        });
      const result = send(hanging).catch((error: unknown) => error);

      await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS);

      await expect(result).resolves.toMatchObject({ status: 0, kind: 'Timeout' });
    } finally {
      vi.useRealTimers();
    }
  });

  it("passes the caller's cancellation through untouched", async () => {
    const controller = new AbortController();
    const reason = new DOMException('cancelled', 'AbortError');
    const neverAnswers = (signal: AbortSignal) =>
      new Promise<{ error: unknown }>((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          reject(new DOMException('aborted', 'AbortError'));
        });
      });
    const pending = send(neverAnswers, controller.signal);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });
});

describe('apiErrorFromResponse', () => {
  it('reads our error envelope', () => {
    const error = apiErrorFromResponse(new Response(null, { status: 401 }), {
      error: 'Unauthorized',
      detail: 'Session expired',
    });
    expect(error).toMatchObject({ status: 401, kind: 'Unauthorized', detail: 'Session expired', isUnauthorized: true });
  });

  it('joins validation issues into one readable detail', () => {
    const body = {
      error: 'ValidationError',
      detail: [
        { loc: ['body', 'amount'], msg: 'must be positive', type: 'value_error' },
        { loc: ['body', 'token'], msg: 'is required', type: 'missing' },
      ],
    };
    const error = apiErrorFromResponse(new Response(null, { status: 422 }), body);
    expect(error.detail).toBe('must be positive; is required');
    expect(error.issues).toHaveLength(2);
    expect(error.isTransient).toBe(false);
  });

  it('keeps Retry-After of a rate limit', () => {
    const response = new Response(null, { status: 429, headers: { 'Retry-After': '7' } });
    const error = apiErrorFromResponse(response, { error: 'RateLimited', detail: 'Slow down' });
    expect(error.retryAfterSeconds).toBe(7);
    expect(describeError(error)).toBe('Too many requests. Please wait 7 seconds and try again.');
  });

  it('copes with a body that is not ours (a proxy error page)', () => {
    const error = apiErrorFromResponse(new Response(null, { status: 502, statusText: 'Bad Gateway' }), '<html>');
    expect(error).toMatchObject({ status: 502, kind: 'Bad Gateway', isTransient: true });
  });
});

describe('describeError', () => {
  it('speaks to people, not developers', () => {
    expect(describeError(new ApiError(0, 'NetworkError', 'x'))).toMatch(/can't reach EAILI5/);
    expect(describeError(new ApiError(503, 'Unavailable', 'x'))).toMatch(/having trouble/);
    expect(describeError(new Error('boom'))).toMatch(/unexpected/);
  });
});
