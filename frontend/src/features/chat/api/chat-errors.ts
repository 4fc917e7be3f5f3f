import { formatWait } from '@/lib/format';

import { type ReplyError } from './reply';

/** A wait this long is the daily cap ("come back tomorrow"), not a short breather. */
const LONG_WAIT_SECONDS = 15 * 60;

export const OFFLINE_ERROR: ReplyError = {
  code: 'offline',
  detail: "We can't reach EAILI5 right now. Check your connection and ask again.",
  retryAfter: null,
};

export const LOST_BEFORE_START_ERROR: ReplyError = {
  code: 'interrupted',
  detail: 'The connection dropped before the answer started. Please ask again.',
  retryAfter: null,
};

/** Words for people: what happened and what they can do. The server's details are already friendly. */
export function describeReplyError(error: ReplyError): string {
  switch (error.code) {
    case 'rate_limited': {
      const wait = error.retryAfter;
      if (wait === null || wait <= 0) return `${error.detail} Please wait a moment.`;
      if (wait >= LONG_WAIT_SECONDS) return error.detail;
      return `${error.detail} You can ask again in ${formatWait(wait)}.`;
    }
    case 'not_found':
      return "This answer can't be continued any more. Please ask again.";
    case 'bad_frame':
      return `That question couldn't be sent: ${error.detail}`;
    default:
      return error.detail;
  }
}
