import { Link, useParams } from 'react-router';

import { Page } from '@/components/ui/page';
import { PageSkeleton } from '@/components/ui/skeleton';
import { formatCount } from '@/lib/format';

import { usePaths } from '../api/paths';
import { LESSON_STATE_LABEL, lessonStates } from '../hooks/lesson-states';
import { BackLink } from './back-link';
import { ArrowRightIcon, CheckIcon, LockIcon } from './learn-icons';
import { LearnProblem } from './learn-problem';
import { ProgressRing } from './progress-ring';

/** One path's lessons in order: done, up next, ready or locked (locked still opens, with advice). */
export function PathPage() {
  const { pathId = '' } = useParams();
  const paths = usePaths();
  if (paths.isError && !paths.data) {
    return <LearnProblem title="We couldn't load this path" error={paths.error} onRetry={() => void paths.refetch()} />;
  }
  if (!paths.data) return <PageSkeleton label="Loading the path" />;
  const path = paths.data.find((candidate) => candidate.id === pathId);
  if (!path) {
    return (
      <Page title="Path not found" intro="There is no path at this address.">
        <BackLink to="/learn" label="All paths" />
      </Page>
    );
  }
  const states = lessonStates(path.lessons);
  return (
    <div className="learn-screen">
      <BackLink to="/learn" label="All paths" />
      <Page title={path.title} intro={path.summary} aside={<ProgressRing done={path.completed} total={path.total} />}>
        <p className="learn-muted" data-testid="path-progress">
          {path.completed} of {path.total} lessons done
        </p>
        <ol className="learn-lessons" aria-label={`Lessons of ${path.title}`}>
          {path.lessons.map((lesson, index) => {
            const state = states[index] ?? 'open';
            return (
              <li key={lesson.id}>
                <Link
                  to={`/learn/lessons/${lesson.id}`}
                  className={`learn-lesson learn-lesson--${state}`}
                  data-testid="lesson-link"
                  data-state={state}
                >
                  <span className="learn-lesson__mark" aria-hidden="true">
                    {state === 'done' ? (
                      <CheckIcon />
                    ) : state === 'next' ? (
                      <ArrowRightIcon />
                    ) : state === 'locked' ? (
                      <LockIcon />
                    ) : (
                      index + 1
                    )}
                  </span>
                  <span className="learn-lesson__text">
                    <span className="learn-lesson__title">{lesson.title}</span>
                    <span className="learn-lesson__meta">
                      <span className={`learn-state learn-state--${state}`}>{LESSON_STATE_LABEL[state]}</span>
                      {' · '}
                      {lesson.minutes} min
                      {lesson.best_score_pct !== null && <> · best quiz {formatCount(lesson.best_score_pct)}%</>}
                    </span>
                    {state === 'locked' && <span className="learn-lesson__hint">Take the lessons before it first</span>}
                  </span>
                </Link>
              </li>
            );
          })}
        </ol>
      </Page>
    </div>
  );
}
