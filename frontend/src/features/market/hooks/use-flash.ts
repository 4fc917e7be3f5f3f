import { useState } from 'react';

export type FlashDirection = 'up' | 'down';

/** Which way a displayed price moved; null when it did not move or either value is unknown. */
export function flashDirection(
  previous: string | null | undefined,
  next: string | null | undefined,
): FlashDirection | null {
  if (previous === null || previous === undefined || next === null || next === undefined) return null;
  const before = Number(previous);
  const after = Number(next);
  if (!Number.isFinite(before) || !Number.isFinite(after) || before === after) return null;
  return after > before ? 'up' : 'down';
}

export interface Flash {
  direction: FlashDirection;
  /** Changes on every move, so a keyed element restarts its animation even in the same direction. */
  id: number;
}

/**
 * The latest move of `value`. Derived while rendering (React's "previous props" pattern) rather
 * than in an effect, so the flash appears in the same frame as the new price.
 */
export function useFlash(value: string | null | undefined): Flash | null {
  const [previous, setPrevious] = useState(value);
  const [flash, setFlash] = useState<Flash | null>(null);
  if (value !== previous) {
    setPrevious(value);
    const direction = flashDirection(previous, value);
    if (direction) setFlash({ direction, id: (flash?.id ?? 0) + 1 });
  }
  return flash;
}
