/** One FastAPI validation problem, as the backend renders 422 responses. */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** Kinds the client invents when there is no server answer to read one from. */
export const NETWORK_ERROR = 'NetworkError';
export const TIMEOUT_ERROR = 'Timeout';

/**
 * Every failed API call becomes an ApiError, so callers branch on `status`/`kind` instead of
 * guessing at fetch exceptions and body shapes. `status` is 0 when no response arrived.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly kind: string,
    readonly detail: string,
    readonly issues: readonly ValidationIssue[] = [],
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(`${kind}${status ? ` (${status})` : ''}: ${detail}`);
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }

  /** Worth trying again later: no answer, a server fault, or a rate limit. */
  get isTransient(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isValidationIssue(value: unknown): value is ValidationIssue {
  return isRecord(value) && Array.isArray(value.loc) && typeof value.msg === 'string';
}

function parseRetryAfter(header: string | null): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - Date.now()) / 1000));
}

/** Builds an ApiError from an HTTP response and its parsed body (`{error, detail}` when it is ours). */
export function apiErrorFromResponse(response: Response, body: unknown): ApiError {
  const kind = isRecord(body) && typeof body.error === 'string' ? body.error : response.statusText || 'HttpError';
  const rawDetail = isRecord(body) ? body.detail : undefined;
  const issues = Array.isArray(rawDetail) ? rawDetail.filter(isValidationIssue) : [];
  const detail =
    typeof rawDetail === 'string'
      ? rawDetail
      : issues.length > 0
        ? issues.map((issue) => issue.msg).join('; ')
        : `Request failed with status ${response.status}`;
  return new ApiError(response.status, kind, detail, issues, parseRetryAfter(response.headers.get('Retry-After')));
}

/** Builds an ApiError for a request that got no response (offline, DNS, CORS, timeout). */
export function apiErrorFromFailure(cause: unknown): ApiError {
  if (cause instanceof ApiError) return cause;
  const timedOut = cause instanceof DOMException && cause.name === 'TimeoutError';
  const error = timedOut
    ? new ApiError(0, TIMEOUT_ERROR, 'The server took too long to answer.')
    : new ApiError(0, NETWORK_ERROR, 'The server could not be reached.');
  return Object.assign(error, { cause });
}

/** Words for people, not for developers: what happened and what they can do. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something unexpected went wrong. Please try again.';
  if (error.status === 0) return "We can't reach EAILI5 right now. Check your connection and try again.";
  if (error.status === 429) {
    const wait = error.retryAfterSeconds;
    return wait
      ? `Too many requests. Please wait ${wait} seconds and try again.`
      : 'Too many requests. Please wait a moment.';
  }
  if (error.status >= 500) return 'EAILI5 is having trouble right now. Please try again in a moment.';
  return error.detail;
}
