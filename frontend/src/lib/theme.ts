import { useSyncExternalStore } from 'react';

import { readItem, writeItem } from './storage';

export type ThemePreference = 'system' | 'light' | 'dark';
export type ResolvedTheme = 'light' | 'dark';

export const THEME_STORAGE_KEY = 'eaili5.theme';
export const THEME_PREFERENCES: readonly ThemePreference[] = ['system', 'light', 'dark'];
const DARK_QUERY = '(prefers-color-scheme: dark)';

export interface ThemeSnapshot {
  preference: ThemePreference;
  /** What the page shows. */
  resolved: ResolvedTheme;
  /** What the operating system asks for, whatever the preference. */
  system: ResolvedTheme;
}

function isThemePreference(value: unknown): value is ThemePreference {
  return THEME_PREFERENCES.includes(value as ThemePreference);
}

export function readThemePreference(): ThemePreference {
  const stored = readItem(THEME_STORAGE_KEY);
  return isThemePreference(stored) ? stored : 'system';
}

export function resolveTheme(preference: ThemePreference, system: ResolvedTheme): ResolvedTheme {
  return preference === 'system' ? system : preference;
}

/**
 * The next preference for the one-button toggle. From "system" it goes to the opposite of what is
 * showing, so the first tap always visibly changes the page; then to the other explicit theme; then
 * back to following the system.
 */
export function nextThemePreference(preference: ThemePreference, system: ResolvedTheme): ThemePreference {
  const opposite: ResolvedTheme = system === 'dark' ? 'light' : 'dark';
  if (preference === 'system') return opposite;
  if (preference === opposite) return system;
  return 'system';
}

export interface ThemeStore {
  getSnapshot: () => ThemeSnapshot;
  subscribe: (listener: () => void) => () => void;
  setPreference: (preference: ThemePreference) => void;
}

/**
 * Keeps `<html data-theme>` equal to the resolved theme: the stored preference, or the system's
 * while the preference is "system" (and it follows live changes of the system setting).
 */
export function createThemeStore(win: Window = window): ThemeStore {
  const media = typeof win.matchMedia === 'function' ? win.matchMedia(DARK_QUERY) : null;
  const listeners = new Set<() => void>();
  const systemTheme = (): ResolvedTheme => (media?.matches ? 'dark' : 'light');
  let snapshot = computeSnapshot(readThemePreference());

  function computeSnapshot(preference: ThemePreference): ThemeSnapshot {
    const system = systemTheme();
    return { preference, resolved: resolveTheme(preference, system), system };
  }

  function update(preference: ThemePreference): void {
    const next = computeSnapshot(preference);
    const changed = (Object.keys(next) as (keyof ThemeSnapshot)[]).some((key) => next[key] !== snapshot[key]);
    if (changed) {
      snapshot = next;
      listeners.forEach((listener) => {
        listener();
      });
    }
    applyTheme(win.document, snapshot.resolved);
  }

  media?.addEventListener('change', () => {
    update(snapshot.preference);
  });
  // Another tab changed the setting: follow it so tabs do not disagree.
  win.addEventListener('storage', (event) => {
    if (event.key === THEME_STORAGE_KEY) update(readThemePreference());
  });
  applyTheme(win.document, snapshot.resolved);

  return {
    getSnapshot: () => snapshot,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setPreference: (preference) => {
      writeItem(THEME_STORAGE_KEY, preference);
      update(preference);
    },
  };
}

function applyTheme(doc: Document, theme: ResolvedTheme): void {
  const root = doc.documentElement;
  root.dataset.theme = theme;
  root.style.colorScheme = theme;
  // The browser chrome around the page (status bar on phones) matches the page background.
  const background = doc.defaultView?.getComputedStyle(root).getPropertyValue('--color-bg').trim();
  const meta = doc.querySelector<HTMLMetaElement>('meta[name="theme-color"]');
  if (meta && background) meta.content = background;
}

let appThemeStore: ThemeStore | null = null;

/** The store for this page, created (and applied to <html>) on first use. */
export function themeStore(): ThemeStore {
  appThemeStore ??= createThemeStore();
  return appThemeStore;
}

export function useTheme(store: ThemeStore = themeStore()): ThemeSnapshot & {
  setPreference: (preference: ThemePreference) => void;
} {
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  return { ...snapshot, setPreference: store.setPreference };
}
