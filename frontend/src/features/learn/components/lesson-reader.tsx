import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';

import { type GlossaryLink } from '@/components/glossary-links';
import { GlossaryText } from '@/components/glossary-text';
import { TermDialog } from '@/components/term-dialog';
import { Button } from '@/components/ui/button';
import { describeError, type Lesson } from '@/lib/api';

import { useCompleteLesson } from '../api/complete-lesson';
import { fetchTermForDialog } from '../api/glossary';
import { usePaths } from '../api/paths';
import { type LessonTerm, useLessonTerms } from '../hooks/use-lesson-terms';
import { useSwipe } from '../hooks/use-swipe';
import { BackLink } from './back-link';
import { ProgressDots } from './progress-dots';
import { TryItLink } from './try-it-link';

/** The card number lives in the URL (`?card=2`), so a reload or a shared link opens the same card. */
function useCardIndex(count: number): [number, (index: number) => void] {
  const [params, setParams] = useSearchParams();
  const raw = Number(params.get('card') ?? '1');
  const index = Number.isInteger(raw) ? Math.min(Math.max(raw, 1), count) - 1 : 0;
  const go = (next: number) => {
    setParams(next === 0 ? {} : { card: String(next + 1) }, { replace: true });
  };
  return [index, go];
}

/** Prerequisites not done yet, from the cached path list (no extra request when it is there). */
function useMissingPrerequisites(lesson: Lesson) {
  const paths = usePaths();
  const done = new Set(paths.data?.flatMap((path) => path.lessons.filter((l) => l.completed).map((l) => l.id)));
  return paths.data ? lesson.prerequisites.filter((ref) => !done.has(ref.id)) : [];
}

/**
 * One lesson, one card at a time: Next/Back, arrow keys, or a swipe on touch. After the cards, a
 * wrap-up with the analogy, what to remember, a "try it", and the quiz. Glossary words open their
 * meaning in a dialog.
 */
export function LessonReader({ lesson }: { lesson: Lesson }) {
  const steps = lesson.cards.length + 1;
  const [index, go] = useCardIndex(steps);
  const glossary = useLessonTerms(lesson.glossary);
  const back = () => {
    if (index > 0) go(index - 1);
  };
  const next = () => {
    if (index < steps - 1) go(index + 1);
  };
  const swipe = useSwipe((direction) => {
    if (direction === 'left') next();
    else back();
  });
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.target instanceof HTMLElement && event.target.closest('dialog')) return;
    if (event.key === 'ArrowRight') next();
    if (event.key === 'ArrowLeft') back();
  };
  const card = lesson.cards[index];
  const cardRef = useRef<HTMLElement>(null);
  useEffect(() => {
    // After Next at the bottom of a long card, the new card starts at its top, not mid-text.
    const element = cardRef.current;
    if (!element) return;
    const hiddenAbove =
      element.getBoundingClientRect().top < parseFloat(getComputedStyle(element).scrollMarginTop || '0');
    if (hiddenAbove) element.scrollIntoView({ block: 'start' });
  }, [index]);
  const basePath = lesson.path_id ? `/learn/paths/${lesson.path_id}` : '/learn';

  return (
    <div className="learn-screen learn-reader" onKeyDown={onKeyDown}>
      <BackLink to={basePath} label="Lessons" />
      <header className="learn-reader__header">
        <h1 className="learn-reader__title" tabIndex={-1} data-page-heading="">
          {lesson.title}
        </h1>
        <p className="learn-muted">{lesson.minutes} min read · then a short quiz</p>
      </header>
      <PrerequisiteNote lesson={lesson} />
      <ProgressDots count={steps} current={index} />
      <p className="visually-hidden" role="status">
        {card ? `Card ${index + 1} of ${steps}: ${card.title}` : `Card ${steps} of ${steps}: Wrap-up`}
      </p>
      <article ref={cardRef} className="learn-card" data-testid="lesson-card" {...swipe}>
        {card ? (
          <>
            <h2 className="learn-card__title">{card.title}</h2>
            <p className="learn-card__body">
              <GlossaryText text={card.body} terms={glossary.terms} onOpen={glossary.openTerm} />
            </p>
          </>
        ) : (
          <WrapUp lesson={lesson} terms={glossary.terms} onOpenTerm={glossary.openTerm} />
        )}
      </article>
      <div className="learn-reader__nav">
        <Button variant="secondary" onClick={back} disabled={index === 0}>
          Back
        </Button>
        {index < steps - 1 ? <Button onClick={next}>Next</Button> : <TakeQuiz lesson={lesson} />}
      </div>
      <p className="learn-reader__tip learn-muted">Tip: tap a highlighted word to see what it means.</p>
      {glossary.open && <TermDialog term={glossary.open} fetchTerm={fetchTermForDialog} onClose={glossary.close} />}
    </div>
  );
}

function PrerequisiteNote({ lesson }: { lesson: Lesson }) {
  const missing = useMissingPrerequisites(lesson);
  if (missing.length === 0) return null;
  return (
    <p className="learn-note" data-testid="prerequisite-note">
      This lesson builds on {missing.map((ref) => `“${ref.title}”`).join(' and ')}. You can read it now, or take that
      first.
    </p>
  );
}

function WrapUp({
  lesson,
  terms,
  onOpenTerm,
}: {
  lesson: Lesson;
  terms: LessonTerm[];
  onOpenTerm: (term: GlossaryLink) => void;
}) {
  return (
    <>
      <h2 className="learn-card__title">Wrap-up</h2>
      <h3 className="learn-card__subtitle">Think of it like this</h3>
      <p className="learn-card__body learn-card__analogy">
        <GlossaryText text={lesson.analogy} terms={terms} onOpen={onOpenTerm} />
      </p>
      <h3 className="learn-card__subtitle">Remember</h3>
      <ul className="learn-card__takeaways">
        {lesson.takeaways.map((takeaway) => (
          <li key={takeaway}>
            <GlossaryText text={takeaway} terms={terms} onOpen={onOpenTerm} />
          </li>
        ))}
      </ul>
      {lesson.try_it && <TryItLink tryIt={lesson.try_it} />}
    </>
  );
}

/** Marks the lesson done (XP, streak) and opens its quiz; the result travels along for the results screen. */
function TakeQuiz({ lesson }: { lesson: Lesson }) {
  const navigate = useNavigate();
  const complete = useCompleteLesson();
  const [announced, setAnnounced] = useState(false);
  const start = () => {
    complete.mutate(lesson.id, {
      onSuccess: (completion) => {
        setAnnounced(true);
        void navigate(`/learn/lessons/${lesson.id}/quiz`, { state: { completion } });
      },
    });
  };
  return (
    <>
      <Button onClick={start} disabled={complete.isPending || announced} data-testid="take-quiz">
        {complete.isPending ? 'Saving…' : lesson.quiz.length > 0 ? 'Take the quiz' : 'Finish lesson'}
      </Button>
      {complete.isError && (
        <p role="alert" className="learn-alert">
          {describeError(complete.error)} Tap the button to try again.
        </p>
      )}
    </>
  );
}
