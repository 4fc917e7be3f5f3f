import { describe, expect, it, vi } from 'vitest';

import { readItem, removeItem, writeItem } from './storage';

describe('storage', () => {
  it('reads back what it wrote, through localStorage', () => {
    writeItem('k', 'v');
    expect(localStorage.getItem('k')).toBe('v');
    expect(readItem('k')).toBe('v');
    removeItem('k');
    expect(readItem('k')).toBeNull();
  });

  it('keeps working in memory when storage throws (blocked webview storage)', () => {
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('blocked', 'SecurityError');
    });
    vi.spyOn(Storage.prototype, 'getItem').mockImplementation(() => {
      throw new DOMException('blocked', 'SecurityError');
    });

    writeItem('k', 'v');
    expect(readItem('k')).toBe('v');
    removeItem('k');
    expect(readItem('k')).toBeNull();
  });
});
