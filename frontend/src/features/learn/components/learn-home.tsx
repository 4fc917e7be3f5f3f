import { Link } from 'react-router';

import { Page } from '@/components/ui/page';
import { Skeleton } from '@/components/ui/skeleton';
import { formatCount } from '@/lib/format';

import { usePaths } from '../api/paths';
import { useProgress } from '../api/progress';
import { useRecommendations } from '../api/recommendations';
import { LearnProblem } from './learn-problem';
import { LearnStats } from './learn-stats';
import { PathMap } from './path-map';
import { RecommendationList } from './recommendation-list';
import { ReviewCallout } from './review-callout';

function PathMapSkeleton() {
  return (
    <div className="learn-paths" aria-busy="true">
      <span className="visually-hidden" role="status">
        Loading the paths
      </span>
      {[0, 1, 2, 3].map((n) => (
        <Skeleton key={n} height="4.5rem" radius="var(--radius-md)" />
      ))}
    </div>
  );
}

/** The Learn tab: your streak and XP, today's review, suggestions, and the path map. */
export function LearnHome() {
  const progress = useProgress();
  const paths = usePaths();
  const recommendations = useRecommendations();
  const earned = progress.data?.badges.filter((badge) => badge.earned).length;

  return (
    <Page title="Learn" intro="Short lessons, each with a quick quiz. Take them in order, a few minutes a day.">
      {progress.isError && !progress.data ? (
        <LearnProblem
          title="We couldn't load your progress"
          error={progress.error}
          onRetry={() => void progress.refetch()}
        />
      ) : (
        <LearnStats progress={progress.data} />
      )}
      <ReviewCallout due={progress.data?.reviews_due} />
      {recommendations.data && <RecommendationList items={recommendations.data} />}
      {paths.isError && !paths.data ? (
        <LearnProblem title="We couldn't load the lessons" error={paths.error} onRetry={() => void paths.refetch()} />
      ) : paths.data ? (
        <PathMap paths={paths.data} />
      ) : (
        <PathMapSkeleton />
      )}
      <nav className="learn-more" aria-label="More in Learn">
        <Link to="/learn/badges" className="learn-more__link">
          <span className="learn-more__title">Badges</span>
          <span className="learn-more__meta">
            {earned === undefined || !progress.data
              ? 'What you can earn'
              : `${formatCount(earned)} of ${formatCount(progress.data.badges.length)} earned`}
          </span>
        </Link>
        <Link to="/learn/leaderboard" className="learn-more__link">
          <span className="learn-more__title">Leaderboard</span>
          <span className="learn-more__meta">Weekly XP</span>
        </Link>
      </nav>
    </Page>
  );
}
