/**
 * localStorage that never throws. Some wallet webviews and private modes block storage or throw
 * on access; the app must still work there, just without remembering things across reloads.
 * Values that could not be stored live in `fallback` and take precedence over storage.
 */
const fallback = new Map<string, string>();

export function readItem(key: string): string | null {
  const kept = fallback.get(key);
  if (kept !== undefined) return kept;
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeItem(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
    fallback.delete(key);
  } catch {
    fallback.set(key, value);
  }
}

export function removeItem(key: string): void {
  fallback.delete(key);
  try {
    window.localStorage.removeItem(key);
  } catch {
    // Storage is unavailable, so there is nothing stored to remove.
  }
}
