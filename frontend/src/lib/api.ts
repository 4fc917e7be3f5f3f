/**
 * The API as features see it: typed functions over the generated SDK (src/client). Features never
 * import the generated code, so a regenerated client with renamed operations changes only this file and session.ts.
 */
import { readMeta, readMe } from '@/client/sdk.gen';
import type { Meta as MetaSchema, UserOut } from '@/client/types.gen';

import { send } from './api-client';
import { withSession } from './session';

export type User = UserOut;
export type Meta = MetaSchema;

export { ApiError, describeError } from './api-error';

/** The signed-in user (a guest until they sign in with a wallet). Creates a guest session if needed. */
export function fetchMe(signal?: AbortSignal): Promise<User> {
  return withSession(() => send((s) => readMe({ signal: s }), signal));
}

/** Version and which backends are active (e.g. whether market data is simulated). Public. */
export function fetchMeta(signal?: AbortSignal): Promise<Meta> {
  return send((s) => readMeta({ signal: s }), signal);
}
