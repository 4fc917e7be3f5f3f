import { Page } from '@/components/ui/page';
import { PageSkeleton } from '@/components/ui/skeleton';
import { type Badge } from '@/lib/api';
import { formatCount, formatDate } from '@/lib/format';

import { useProgress } from '../api/progress';
import { BackLink } from './back-link';
import { LockIcon, MedalIcon } from './learn-icons';
import { LearnProblem } from './learn-problem';

/** Every badge: earned ones first with the day you got them, locked ones with what earns them. */
export function BadgesPage() {
  const progress = useProgress();
  let body;
  if (progress.isError && !progress.data) {
    body = (
      <LearnProblem
        title="We couldn't load your badges"
        error={progress.error}
        onRetry={() => void progress.refetch()}
      />
    );
  } else if (!progress.data) {
    body = <PageSkeleton label="Loading your badges" />;
  } else {
    const badges = [...progress.data.badges].sort((a, b) => Number(b.earned) - Number(a.earned));
    const earned = badges.filter((badge) => badge.earned).length;
    body = (
      <>
        <p className="learn-muted" data-testid="badges-count">
          {formatCount(earned)} of {formatCount(badges.length)} earned
        </p>
        <ul className="learn-badges" aria-label="Badges">
          {badges.map((badge) => (
            <BadgeItem key={badge.id} badge={badge} />
          ))}
        </ul>
      </>
    );
  }
  return (
    <div className="learn-screen">
      <BackLink to="/learn" label="Learn" />
      <Page title="Badges" intro="Badges mark the big steps. Each one says how to earn it.">
        {body}
      </Page>
    </div>
  );
}

function BadgeItem({ badge }: { badge: Badge }) {
  return (
    <li className={`learn-badge learn-badge--${badge.earned ? 'earned' : 'locked'}`} data-testid="badge">
      <span className="learn-badge__icon" aria-hidden="true">
        {badge.earned ? <MedalIcon /> : <LockIcon />}
      </span>
      <span className="learn-badge__text">
        <span className="learn-badge__title">{badge.title}</span>
        <span className="learn-badge__rule">{badge.description}</span>
        <span className="learn-badge__status">
          {badge.earned ? `Earned ${formatDate(badge.earned_at)}` : 'Not earned yet'}
        </span>
      </span>
    </li>
  );
}
