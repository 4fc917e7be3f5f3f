import { useParams } from 'react-router';

import { PageSkeleton } from '@/components/ui/skeleton';
import { ApiError } from '@/lib/api';

import { useLesson } from '../api/lesson';
import { BackLink } from './back-link';
import { LearnProblem } from './learn-problem';
import { LessonReader } from './lesson-reader';
import { NotFoundScreen } from './not-found-screen';

export function LessonPage() {
  const { lessonId = '' } = useParams();
  const lesson = useLesson(lessonId);
  if (lesson.isError && !lesson.data) {
    if (lesson.error instanceof ApiError && lesson.error.status === 404) {
      return <NotFoundScreen title="Lesson not found" text="There is no lesson at this address." />;
    }
    return (
      <div className="learn-screen">
        <BackLink to="/learn" label="Learn" />
        <LearnProblem title="We couldn't load this lesson" error={lesson.error} onRetry={() => void lesson.refetch()} />
      </div>
    );
  }
  if (!lesson.data) return <PageSkeleton label="Loading the lesson" />;
  return <LessonReader key={lesson.data.id} lesson={lesson.data} />;
}
