import { readItem, removeItem, writeItem } from './storage';

/** Where the opaque session token lives between visits. Shared with the e2e test. */
export const TOKEN_STORAGE_KEY = 'eaili5.token';

export function readToken(): string | null {
  return readItem(TOKEN_STORAGE_KEY);
}

export function writeToken(token: string): void {
  writeItem(TOKEN_STORAGE_KEY, token);
}

export function clearToken(): void {
  removeItem(TOKEN_STORAGE_KEY);
}
