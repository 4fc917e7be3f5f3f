import { type PointerEvent, useRef } from 'react';

import { type StrokePoint, type SwipeDirection, swipeDirection } from './swipe';

/**
 * Pointer handlers to spread on the element that can be swiped. Mouse strokes are ignored (a
 * mouse selects text; it has the buttons). Pair with CSS `touch-action: pan-y` so the browser keeps
 * vertical scrolling and leaves sideways strokes to us.
 */
export function useSwipe(onSwipe: (direction: SwipeDirection) => void) {
  const start = useRef<(StrokePoint & { id: number }) | null>(null);
  return {
    onPointerDown(event: PointerEvent) {
      if (event.pointerType === 'mouse' || !event.isPrimary) return;
      start.current = { id: event.pointerId, x: event.clientX, y: event.clientY, time: event.timeStamp };
    },
    onPointerUp(event: PointerEvent) {
      const from = start.current;
      start.current = null;
      if (from?.id !== event.pointerId) return;
      const direction = swipeDirection(from, { x: event.clientX, y: event.clientY, time: event.timeStamp });
      if (direction) onSwipe(direction);
    },
    onPointerCancel() {
      start.current = null;
    },
  };
}
