import { CheckIcon } from './learn-icons';

const RADIUS = 20;
const CIRCUMFERENCE = 2 * Math.PI * RADIUS;

/**
 * A ring that fills as lessons get done, with the count in the middle. Decorative for screen
 * readers: the path's text says "2 of 6 lessons done".
 */
export function ProgressRing({ done, total }: { done: number; total: number }) {
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const complete = total > 0 && done >= total;
  return (
    <span className={`learn-ring${complete ? ' learn-ring--complete' : ''}`} aria-hidden="true">
      <svg viewBox="0 0 48 48" width="48" height="48">
        <circle className="learn-ring__track" cx="24" cy="24" r={RADIUS} />
        <circle
          className="learn-ring__fill"
          cx="24"
          cy="24"
          r={RADIUS}
          strokeDasharray={CIRCUMFERENCE}
          strokeDashoffset={CIRCUMFERENCE * (1 - fraction)}
          transform="rotate(-90 24 24)"
        />
      </svg>
      <span className="learn-ring__label">{complete ? <CheckIcon /> : `${done}/${total}`}</span>
    </span>
  );
}
