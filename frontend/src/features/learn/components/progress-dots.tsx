/** One dot per card, the current one wide; the reader's status line says "Card 2 of 5" in words. */
export function ProgressDots({ count, current }: { count: number; current: number }) {
  return (
    <div className="learn-dots" aria-hidden="true" data-testid="progress-dots">
      {Array.from({ length: count }, (_, index) => (
        <span
          key={index}
          className={`learn-dots__dot${index === current ? ' learn-dots__dot--current' : ''}${index < current ? ' learn-dots__dot--seen' : ''}`}
        />
      ))}
      <span className="learn-dots__count">
        {current + 1} / {count}
      </span>
    </div>
  );
}
