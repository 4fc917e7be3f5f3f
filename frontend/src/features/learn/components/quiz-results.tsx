import { useEffect, useRef } from 'react';

import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { LinkButton } from '@/components/ui/link-button';
import { type Badge, type Lesson, type LessonCompletion, type XpItem } from '@/lib/api';
import { formatCount } from '@/lib/format';

import { type QuizState } from '../hooks/quiz-state';
import { xpBreakdown } from '../hooks/xp';
import { FlameIcon, MedalIcon } from './learn-icons';

interface QuizResultsProps {
  lesson: Lesson;
  quiz: QuizState;
  completion: LessonCompletion | null;
  onRetry: () => void;
}

function uniqueBadges(badges: Badge[]): Badge[] {
  return badges.filter((badge, index) => badges.findIndex((other) => other.id === badge.id) === index);
}

/** After the last answer: score, XP earned and why, new badges, the streak, and where to go next. */
export function QuizResults({ lesson, quiz, completion, onRetry }: QuizResultsProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  const result = quiz.result;
  const xpItems: XpItem[] = [...(completion?.xp_earned.items ?? []), ...(result?.xp.items ?? [])];
  const xpTotal = xpItems.reduce((sum, item) => sum + item.amount, 0);
  const badges = uniqueBadges([...(completion?.new_badges ?? []), ...quiz.newBadges]);
  const streak = quiz.last?.streak ?? completion?.streak;
  const missed = quiz.wrongQuestionIds.length;
  const pathHref = lesson.path_id ? `/learn/paths/${lesson.path_id}` : '/learn';

  return (
    <div className="learn-screen learn-results" data-testid="quiz-results">
      <header className="learn-reader__header">
        <h1 ref={heading} className="learn-reader__title" tabIndex={-1} data-page-heading="">
          {result ? (result.passed ? 'Quiz passed!' : 'Quiz done') : 'Lesson done'}
        </h1>
        <p className="learn-muted">{lesson.title}</p>
      </header>
      {result && (
        <Card className="learn-results__score">
          <p className="learn-results__big" data-testid="quiz-score">
            {formatCount(result.correct)} of {formatCount(result.total)} right
          </p>
          <p className="learn-muted">
            {formatCount(result.score_pct)}% ·{' '}
            {result.passed ? 'Well done.' : 'Read the lesson again, then have another go.'}
          </p>
        </Card>
      )}
      <Card>
        <h2>XP earned</h2>
        <p className="learn-results__big" data-testid="xp-earned">
          +{formatCount(xpTotal)} XP
        </p>
        {xpItems.length > 0 ? (
          <ul className="learn-results__xp" aria-label="Where the XP came from">
            {xpBreakdown(xpItems).map((line) => (
              <li key={line.reason}>
                <span>
                  {line.label}
                  {line.count > 1 && ` ×${formatCount(line.count)}`}
                </span>
                <span>+{formatCount(line.amount)}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="learn-muted">No new XP this time: XP comes the first time you do each thing.</p>
        )}
      </Card>
      {streak && (
        <Card>
          <h2>Streak</h2>
          <p className="learn-results__big" data-testid="results-streak">
            <span className="learn-flame" aria-hidden="true">
              <FlameIcon />
            </span>
            {formatCount(streak.current)} {streak.current === 1 ? 'day' : 'days'}
          </p>
          <p className="learn-muted">Come back tomorrow to keep it going.</p>
        </Card>
      )}
      {badges.length > 0 && (
        <Card>
          <h2>New {badges.length === 1 ? 'badge' : 'badges'}</h2>
          <ul className="learn-results__badges">
            {badges.map((badge) => (
              <li key={badge.id}>
                <span className="learn-badge__icon learn-badge__icon--earned" aria-hidden="true">
                  <MedalIcon />
                </span>
                <span>
                  <strong>{badge.title}</strong>
                  <br />
                  <span className="learn-muted">{badge.description}</span>
                </span>
              </li>
            ))}
          </ul>
        </Card>
      )}
      {missed > 0 && (
        <p className="learn-note">
          {missed === 1
            ? 'The question you missed comes back in your daily review, so it sticks.'
            : `The ${formatCount(missed)} questions you missed come back in your daily review, so they stick.`}
        </p>
      )}
      <div className="learn-actions">
        {lesson.next_lesson ? (
          <LinkButton to={`/learn/lessons/${lesson.next_lesson.id}`} data-testid="next-lesson">
            Next lesson: {lesson.next_lesson.title}
          </LinkButton>
        ) : (
          <LinkButton to={pathHref}>Back to the path</LinkButton>
        )}
        {missed > 0 && (
          <LinkButton to="/learn/review" variant="secondary">
            Open my review
          </LinkButton>
        )}
        {lesson.quiz.length > 0 && (
          <Button variant="secondary" onClick={onRetry}>
            Try the quiz again
          </Button>
        )}
        <LinkButton to="/learn" variant="ghost">
          Back to Learn
        </LinkButton>
      </div>
    </div>
  );
}
