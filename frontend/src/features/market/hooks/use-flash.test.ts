import { renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { flashDirection, useFlash } from './use-flash';

describe('flashDirection', () => {
  it('compares numerically, not as text', () => {
    expect(flashDirection('9.5', '10.1')).toBe('up');
    expect(flashDirection('10.1', '9.5')).toBe('down');
    expect(flashDirection('0.00001234', '0.00001233')).toBe('down');
  });

  it('does not flash when nothing moved or a value is unknown', () => {
    expect(flashDirection('1.50', '1.5')).toBeNull();
    expect(flashDirection(null, '1')).toBeNull();
    expect(flashDirection('1', null)).toBeNull();
    expect(flashDirection(undefined, '1')).toBeNull();
    expect(flashDirection('abc', '1')).toBeNull();
  });
});

describe('useFlash', () => {
  it('is quiet on first render and flashes the direction of each move', () => {
    const { result, rerender } = renderHook(({ price }) => useFlash(price), { initialProps: { price: '1.00' } });
    expect(result.current).toBeNull();
    rerender({ price: '1.20' });
    expect(result.current?.direction).toBe('up');
    const firstId = result.current?.id;
    rerender({ price: '1.30' });
    expect(result.current?.direction).toBe('up');
    expect(result.current?.id).not.toBe(firstId);
    rerender({ price: '1.10' });
    expect(result.current?.direction).toBe('down');
  });

  it('keeps the last flash when a render does not change the price', () => {
    const { result, rerender } = renderHook(({ price }) => useFlash(price), { initialProps: { price: '1' } });
    rerender({ price: '2' });
    const flash = result.current;
    rerender({ price: '2' });
    expect(result.current).toBe(flash);
  });
});
