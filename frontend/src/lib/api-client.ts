import { client } from '@/client/client.gen';

import { apiErrorFromFailure, apiErrorFromResponse } from './api-error';
import { apiBaseUrl } from './config';
import { readToken } from './session-token';

/**
 * A fetch with no deadline can hang forever in a wallet's webview; every call gets one, and the
 * caller's signal (TanStack Query cancels stale requests) still aborts it earlier.
 */
export const REQUEST_TIMEOUT_MS = 10_000;

let configured = false;

/** Points the generated client at the API and adds the session token. Idempotent. */
export function configureApiClient(): void {
  if (configured) return;
  configured = true;
  client.setConfig({ baseUrl: apiBaseUrl() });
  // An interceptor rather than the SDK's `auth` option: it does not depend on the OpenAPI
  // document declaring a security scheme on each operation.
  client.interceptors.request.use((request) => {
    const token = readToken();
    if (token && !request.headers.has('Authorization')) {
      request.headers.set('Authorization', `Bearer ${token}`);
    }
    return request;
  });
}

/** The shape every generated SDK function resolves to (its default `responseStyle: 'fields'`). */
interface SdkResult<T> {
  data?: T;
  error?: unknown;
  // Typed as always present by the SDK, but undefined at run time when fetch itself failed.
  response?: Response;
}

function timeoutSignal(parent: AbortSignal | undefined, ms: number): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new DOMException('Request timed out', 'TimeoutError'));
  }, ms);
  const onParentAbort = () => {
    controller.abort(parent?.reason);
  };
  if (parent?.aborted) onParentAbort();
  parent?.addEventListener('abort', onParentAbort, { once: true });
  const done = () => {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  };
  return { signal: controller.signal, done };
}

/**
 * Runs one SDK call with a deadline and turns every failure into an ApiError.
 * Returns the parsed body on success.
 */
export async function send<T>(
  call: (signal: AbortSignal) => Promise<SdkResult<T>>,
  parentSignal?: AbortSignal,
): Promise<T> {
  configureApiClient();
  const { signal, done } = timeoutSignal(parentSignal, REQUEST_TIMEOUT_MS);
  try {
    const { data, error, response } = await call(signal);
    if (!response) throw apiErrorFromFailure(signal.aborted ? signal.reason : error);
    if (!response.ok) throw apiErrorFromResponse(response, error);
    return data as T;
  } catch (cause) {
    // A caller's own cancellation is not an API failure: let TanStack Query see its AbortError.
    if (parentSignal?.aborted) throw parentSignal.reason;
    throw apiErrorFromFailure(cause);
  } finally {
    done();
  }
}
