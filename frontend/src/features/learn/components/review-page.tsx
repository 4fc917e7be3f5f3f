import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';

import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { LinkButton } from '@/components/ui/link-button';
import { Page } from '@/components/ui/page';
import { PageSkeleton } from '@/components/ui/skeleton';
import { describeError, type ReviewCard, type ReviewResult } from '@/lib/api';
import { formatCount, formatDate } from '@/lib/format';

import { useGradeReview } from '../api/grade-review';
import { learnKeys } from '../api/keys';
import { useReviewQueue } from '../api/review';
import { AnswerFeedback } from './answer-feedback';
import { BackLink } from './back-link';
import { LearnProblem } from './learn-problem';
import { QuestionForm } from './question-form';

/**
 * The daily review: the due cards one at a time. Question cards are answered and graded by the
 * server; term cards are recalled, turned over, then rated by how well you remembered.
 */
export function ReviewPage() {
  const queue = useReviewQueue();
  // The session keeps the cards it started with; the queue refetches when it ends.
  const [cards, setCards] = useState<ReviewCard[] | null>(null);
  if (queue.data && queue.isFetchedAfterMount && cards === null) setCards(queue.data.cards);

  let body;
  if (queue.isError && cards === null) {
    body = (
      <LearnProblem title="We couldn't load your review" error={queue.error} onRetry={() => void queue.refetch()} />
    );
  } else if (!cards || !queue.data) {
    body = <PageSkeleton label="Loading your review" />;
  } else if (cards.length === 0) {
    body = (
      <Card className="learn-empty" data-testid="review-empty">
        <h2>All caught up</h2>
        <p>
          Nothing to review right now.
          {queue.data.next_due_at && ` ${nextDueSentence(queue.data.next_due_at)}`} Questions you miss in a quiz come
          back here.
        </p>
        <LinkButton to="/learn">Back to Learn</LinkButton>
      </Card>
    );
  } else {
    body = <ReviewSession cards={cards} />;
  }
  return (
    <div className="learn-screen">
      <BackLink to="/learn" label="Learn" />
      <Page title="Daily review" intro="Go over what you missed. A little each day makes it stick.">
        {body}
      </Page>
    </div>
  );
}

/** "Your next card is due later today." or "... on Nov 28, 2026." (the phone's own day). */
function nextDueSentence(iso: string, now = new Date()): string {
  const sameDay = new Date(iso).toDateString() === now.toDateString();
  return sameDay ? 'Your next card is due later today.' : `Your next card is due on ${formatDate(iso)}.`;
}

function ReviewSession({ cards }: { cards: ReviewCard[] }) {
  const queryClient = useQueryClient();
  const [index, setIndex] = useState(0);
  const [xp, setXp] = useState(0);
  const card = cards[index];
  // Progress, streak and the queue changed; refresh them when the session ends or is left.
  useEffect(
    () => () => {
      void queryClient.invalidateQueries({ queryKey: learnKeys.mine() });
    },
    [queryClient],
  );
  const done = (result: ReviewResult) => {
    setXp((total) => total + result.xp_earned.total);
  };
  if (!card) {
    return <ReviewDone count={cards.length} xp={xp} />;
  }
  return (
    <div className="learn-review">
      <p className="learn-muted" data-testid="review-position">
        Card {formatCount(index + 1)} of {formatCount(cards.length)}
      </p>
      {card.question ? (
        <QuestionCard
          key={card.id}
          card={card}
          question={card.question}
          onGraded={done}
          onNext={() => {
            setIndex(index + 1);
          }}
        />
      ) : card.term ? (
        <TermCard
          key={card.id}
          card={card}
          term={card.term}
          onGraded={(result) => {
            done(result);
            setIndex(index + 1);
          }}
        />
      ) : (
        <Button
          onClick={() => {
            setIndex(index + 1);
          }}
        >
          Skip this card
        </Button>
      )}
    </div>
  );
}

function ReviewDone({ count, xp }: { count: number; xp: number }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  return (
    <Card className="learn-empty" data-testid="review-done">
      <h2 ref={heading} tabIndex={-1}>
        Review done
      </h2>
      <p>
        You went over {formatCount(count)} {count === 1 ? 'card' : 'cards'}
        {xp > 0 ? ` and earned ${formatCount(xp)} XP` : ''}. Each one comes back when it is about to slip your mind.
      </p>
      <LinkButton to="/learn">Back to Learn</LinkButton>
    </Card>
  );
}

interface QuestionCardProps {
  card: ReviewCard;
  question: NonNullable<ReviewCard['question']>;
  onGraded: (result: ReviewResult) => void;
  onNext: () => void;
}

function QuestionCard({ card, question, onGraded, onNext }: QuestionCardProps) {
  const grade = useGradeReview();
  const [selection, setSelection] = useState<string[]>([]);
  const select = (optionId: string) => {
    setSelection((current) =>
      question.kind !== 'multiple'
        ? [optionId]
        : current.includes(optionId)
          ? current.filter((id) => id !== optionId)
          : [...current, optionId],
    );
  };
  const submit = () => {
    grade.mutate({ cardId: card.id, grade: { option_ids: selection } }, { onSuccess: onGraded });
  };
  return (
    <Card className="learn-review__card" data-testid="review-card" data-kind="question">
      <p className="learn-review__from">From “{question.lesson_title}”</p>
      <QuestionForm
        question={question}
        selection={selection}
        onSelect={select}
        onSubmit={submit}
        submitting={grade.isPending}
        locked={grade.isSuccess}
      />
      {grade.isError && <ReviewError error={grade.error} onRetry={submit} />}
      {grade.data?.graded && (
        <>
          <AnswerFeedback graded={grade.data.graded} />
          <Button onClick={onNext} data-testid="next-card">
            Next card
          </Button>
        </>
      )}
    </Card>
  );
}

const RATINGS = [
  { value: 'again', label: 'Again', hint: 'I forgot' },
  { value: 'hard', label: 'Hard', hint: 'Barely' },
  { value: 'good', label: 'Good', hint: 'I knew it' },
  { value: 'easy', label: 'Easy', hint: 'Too easy' },
] as const;

interface TermCardProps {
  card: ReviewCard;
  term: NonNullable<ReviewCard['term']>;
  onGraded: (result: ReviewResult) => void;
}

function TermCard({ card, term, onGraded }: TermCardProps) {
  const grade = useGradeReview();
  const [shown, setShown] = useState(false);
  const definition = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (shown) definition.current?.focus();
  }, [shown]);
  const rate = (rating: (typeof RATINGS)[number]['value']) => {
    grade.mutate({ cardId: card.id, grade: { rating } }, { onSuccess: onGraded });
  };
  return (
    <Card className="learn-review__card" data-testid="review-card" data-kind="term">
      <p className="learn-review__from">A word you looked up</p>
      <h2 className="learn-review__term">{term.term}</h2>
      {!shown ? (
        <>
          <p className="learn-muted">Say what it means in your own words, then check.</p>
          <Button
            onClick={() => {
              setShown(true);
            }}
          >
            Show the meaning
          </Button>
        </>
      ) : (
        <>
          <p ref={definition} tabIndex={-1} className="learn-review__definition">
            {term.definition}
          </p>
          <fieldset className="learn-ratings" disabled={grade.isPending}>
            <legend>How well did you remember it?</legend>
            {RATINGS.map((rating) => (
              <Button
                key={rating.value}
                variant="secondary"
                onClick={() => {
                  rate(rating.value);
                }}
              >
                <span>{rating.label}</span>
                <span className="learn-ratings__hint">{rating.hint}</span>
              </Button>
            ))}
          </fieldset>
          {grade.isError && <ReviewError error={grade.error} />}
        </>
      )}
    </Card>
  );
}

function ReviewError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div role="alert" className="learn-alert">
      <p>{describeError(error)}</p>
      {onRetry && (
        <Button variant="secondary" onClick={onRetry}>
          Retry
        </Button>
      )}
    </div>
  );
}
