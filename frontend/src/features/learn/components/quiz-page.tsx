import { useLocation, useParams } from 'react-router';

import { PageSkeleton } from '@/components/ui/skeleton';
import { ApiError, type LessonCompletion } from '@/lib/api';

import { useLesson } from '../api/lesson';
import { BackLink } from './back-link';
import { LearnProblem } from './learn-problem';
import { NotFoundScreen } from './not-found-screen';
import { QuizFlow } from './quiz-flow';

function completionFrom(state: unknown): LessonCompletion | null {
  if (typeof state !== 'object' || state === null || !('completion' in state)) return null;
  return (state as { completion: LessonCompletion }).completion;
}

/**
 * The quiz of a lesson. It waits for a fresh copy of the lesson so an attempt finished a moment
 * ago (or in another tab) is not continued by mistake.
 */
export function QuizPage() {
  const { lessonId = '' } = useParams();
  const location = useLocation();
  const lesson = useLesson(lessonId, { refetchOnMount: 'always' });
  if (lesson.isError) {
    if (lesson.error instanceof ApiError && lesson.error.status === 404) {
      return <NotFoundScreen title="Quiz not found" text="There is no lesson at this address." />;
    }
    return (
      <div className="learn-screen">
        <BackLink to={`/learn/lessons/${lessonId}`} label="Lesson" />
        <LearnProblem title="We couldn't load this quiz" error={lesson.error} onRetry={() => void lesson.refetch()} />
      </div>
    );
  }
  if (!lesson.data || !lesson.isFetchedAfterMount) return <PageSkeleton label="Loading the quiz" />;
  return <QuizFlow key={lesson.data.id} lesson={lesson.data} completion={completionFrom(location.state)} />;
}
