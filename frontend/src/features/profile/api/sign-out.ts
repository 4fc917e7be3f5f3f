import { useMutation } from '@tanstack/react-query';

import { ApiError, signOutSession } from '@/lib/api';
import { renewSession } from '@/lib/session';
import { readToken } from '@/lib/session-token';

/**
 * Signs out: the server revokes this session, then the browser starts as a fresh guest (the renewal
 * refetches every query and re-authenticates the socket, so nothing of the wallet user stays on screen).
 */
export async function signOutToGuest(): Promise<void> {
  const token = readToken();
  try {
    await signOutSession();
  } catch (error) {
    // Already ended elsewhere (401): the goal, a session that no longer works, is reached.
    if (!(error instanceof ApiError && error.isUnauthorized)) throw error;
  }
  await renewSession(token);
}

export function useSignOut() {
  return useMutation({ mutationFn: signOutToGuest });
}
