import { useSyncExternalStore } from 'react';

import { readItem, removeItem, writeItem } from '../storage';

/**
 * The Basename found at sign-in, kept so the profile can show it later without loading the wallet
 * code or asking the network again. Display only: identity is always the server's wallet address.
 */
const key = (address: string) => `eaili5.basename.${address.toLowerCase()}`;
const listeners = new Set<() => void>();

export function rememberBasename(address: string, name: string | null): void {
  if (name) writeItem(key(address), name);
  else removeItem(key(address));
  listeners.forEach((listener) => {
    listener();
  });
}

export function rememberedBasename(address: string): string | null {
  return readItem(key(address));
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The remembered Basename of `address`, updating when sign-in finds one. */
export function useRememberedBasename(address: string): string | null {
  return useSyncExternalStore(subscribe, () => rememberedBasename(address));
}
