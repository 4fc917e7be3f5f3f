import { useEffect, useRef } from 'react';

import { type GradedAnswer } from '@/lib/api';

import { CheckIcon, CrossIcon } from './learn-icons';

/**
 * The server's grading of one answer: right or wrong (in words, not only colour), then why for
 * each option you chose and for the right one(s). Focus moves here so the result is read out.
 */
export function AnswerFeedback({ graded }: { graded: GradedAnswer }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Its top at the top of the screen: the verdict and the explanations are what to read next.
    const element = ref.current;
    if (!element) return;
    element.focus({ preventScroll: true });
    // jsdom (unit tests) has no scrollIntoView.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    element.scrollIntoView?.({ block: 'start' });
  }, [graded]);
  const shown = graded.options.filter((option) => option.chosen || option.correct);
  return (
    <div
      ref={ref}
      tabIndex={-1}
      className={`learn-feedback learn-feedback--${graded.correct ? 'right' : 'wrong'}`}
      data-testid="feedback"
      data-correct={graded.correct}
    >
      <p className="learn-feedback__verdict">
        {graded.correct ? <CheckIcon /> : <CrossIcon />}
        {graded.correct ? 'Right!' : 'Not quite.'}
      </p>
      <ul className="learn-feedback__options">
        {shown.map((option) => (
          <li
            key={option.id}
            className={`learn-feedback__option${option.correct ? ' learn-feedback__option--correct' : ' learn-feedback__option--wrong'}`}
            data-option-id={option.id}
            data-correct={option.correct}
            data-chosen={option.chosen}
          >
            <p className="learn-feedback__label">
              {option.chosen && option.correct && 'Your answer · right'}
              {option.chosen && !option.correct && 'Your answer · wrong'}
              {!option.chosen && option.correct && 'The right answer'}
            </p>
            <p className="learn-feedback__text">{option.text}</p>
            <p className="learn-feedback__why">{option.explanation}</p>
          </li>
        ))}
      </ul>
    </div>
  );
}
