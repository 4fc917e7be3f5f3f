import { describe, expect, it } from 'vitest';

import { swipeDirection } from './swipe';

const at = (x: number, y: number, time = 0) => ({ x, y, time });

describe('swipeDirection', () => {
  it('reads a quick sideways stroke as a swipe in its direction', () => {
    expect(swipeDirection(at(300, 200), at(120, 210, 200))).toBe('left');
    expect(swipeDirection(at(40, 200), at(200, 190, 200))).toBe('right');
  });

  it('ignores short strokes (taps, small wobbles)', () => {
    expect(swipeDirection(at(100, 100), at(140, 100, 100))).toBeNull();
  });

  it('ignores strokes that are mostly vertical, so scrolling never turns a card', () => {
    expect(swipeDirection(at(200, 100), at(130, 400, 200))).toBeNull();
    expect(swipeDirection(at(200, 100), at(120, 140, 200))).toBe('left');
  });

  it('ignores slow drags', () => {
    expect(swipeDirection(at(300, 100), at(100, 100, 2_000))).toBeNull();
  });
});
