/**
 * Swipe detection for the lesson cards, on pointer events (no gesture library). A swipe is a
 * touch or pen stroke that moved far enough sideways, clearly more sideways than up or down (so
 * scrolling the page never turns a card), and quickly enough to be a flick rather than a drag.
 */
export type SwipeDirection = 'left' | 'right';

export interface StrokePoint {
  x: number;
  y: number;
  time: number;
}

export const SWIPE_MIN_DISTANCE = 50;
export const SWIPE_MAX_DURATION_MS = 800;
/** Sideways must be at least this many times the vertical movement. */
export const SWIPE_DOMINANCE = 1.5;

export function swipeDirection(start: StrokePoint, end: StrokePoint): SwipeDirection | null {
  const dx = end.x - start.x;
  const dy = end.y - start.y;
  if (Math.abs(dx) < SWIPE_MIN_DISTANCE) return null;
  if (Math.abs(dx) < Math.abs(dy) * SWIPE_DOMINANCE) return null;
  if (end.time - start.time > SWIPE_MAX_DURATION_MS) return null;
  return dx < 0 ? 'left' : 'right';
}
