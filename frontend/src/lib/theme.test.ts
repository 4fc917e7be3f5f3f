import { afterEach, describe, expect, it, vi } from 'vitest';

import { createThemeStore, nextThemePreference, readThemePreference, resolveTheme, THEME_STORAGE_KEY } from './theme';

/** A window whose `prefers-color-scheme: dark` answer the test controls. */
function fakeWindow(systemDark: boolean) {
  const listeners = new Set<() => void>();
  const media = {
    matches: systemDark,
    addEventListener: (_type: string, listener: () => void) => listeners.add(listener),
  };
  const win = Object.create(window) as Window;
  Object.defineProperty(win, 'matchMedia', { value: () => media });
  return {
    win,
    setSystemDark: (dark: boolean) => {
      media.matches = dark;
      listeners.forEach((listener) => {
        listener();
      });
    },
  };
}

afterEach(() => {
  delete document.documentElement.dataset.theme;
});

describe('theme preference', () => {
  it('defaults to following the system', () => {
    expect(readThemePreference()).toBe('system');
  });

  it('ignores unknown stored values', () => {
    localStorage.setItem(THEME_STORAGE_KEY, 'purple');
    expect(readThemePreference()).toBe('system');
  });

  it('resolves "system" to the system theme and explicit choices to themselves', () => {
    expect(resolveTheme('system', 'dark')).toBe('dark');
    expect(resolveTheme('light', 'dark')).toBe('light');
    expect(resolveTheme('dark', 'light')).toBe('dark');
  });

  it('toggles to a visible change first, then back to the system', () => {
    expect(nextThemePreference('system', 'light')).toBe('dark');
    expect(nextThemePreference('dark', 'light')).toBe('light');
    expect(nextThemePreference('light', 'light')).toBe('system');
    expect(nextThemePreference('system', 'dark')).toBe('light');
    expect(nextThemePreference('light', 'dark')).toBe('dark');
    expect(nextThemePreference('dark', 'dark')).toBe('system');
  });
});

describe('createThemeStore', () => {
  it('applies the system theme to <html> on creation', () => {
    createThemeStore(fakeWindow(true).win);
    expect(document.documentElement.dataset.theme).toBe('dark');
  });

  it('persists a chosen theme and applies it', () => {
    const store = createThemeStore(fakeWindow(false).win);
    store.setPreference('dark');

    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(store.getSnapshot()).toEqual({ preference: 'dark', resolved: 'dark', system: 'light' });
  });

  it('restores the saved theme on the next visit', () => {
    localStorage.setItem(THEME_STORAGE_KEY, 'light');
    const store = createThemeStore(fakeWindow(true).win);
    expect(store.getSnapshot().resolved).toBe('light');
    expect(document.documentElement.dataset.theme).toBe('light');
  });

  it('follows live system changes only while the preference is "system"', () => {
    const { win, setSystemDark } = fakeWindow(false);
    const store = createThemeStore(win);
    const listener = vi.fn();
    store.subscribe(listener);

    setSystemDark(true);
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(listener).toHaveBeenCalledTimes(1);

    store.setPreference('light');
    setSystemDark(false);
    setSystemDark(true);
    expect(document.documentElement.dataset.theme).toBe('light');
  });

  it('keeps the snapshot identity until something changes', () => {
    const store = createThemeStore(fakeWindow(false).win);
    const before = store.getSnapshot();
    store.setPreference('system');
    expect(store.getSnapshot()).toBe(before);
  });
});
