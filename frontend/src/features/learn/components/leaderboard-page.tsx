import { useState } from 'react';

import { Page } from '@/components/ui/page';
import { SegmentedControl } from '@/components/ui/segmented-control';
import { PageSkeleton } from '@/components/ui/skeleton';
import { type LearnLeaderboard } from '@/lib/api';
import { formatCount } from '@/lib/format';

import { type LeaderboardPeriod, useLeaderboard } from '../api/leaderboard';
import { BackLink } from './back-link';
import { LearnProblem } from './learn-problem';

const PERIODS = [
  { value: 'week', label: 'This week' },
  { value: 'all', label: 'All time' },
] as const;

type Entry = LearnLeaderboard['items'][number];

/** XP ranking; names only (guests appear under a generated name, never their id). */
export function LeaderboardPage() {
  const [period, setPeriod] = useState<LeaderboardPeriod>('week');
  const board = useLeaderboard(period);
  let body;
  if (board.isError && !board.data) {
    body = (
      <LearnProblem title="We couldn't load the leaderboard" error={board.error} onRetry={() => void board.refetch()} />
    );
  } else if (!board.data) {
    body = <PageSkeleton label="Loading the leaderboard" />;
  } else if (board.data.items.length === 0) {
    body = (
      <p className="learn-muted">No XP earned yet {period === 'week' ? 'this week' : ''}. Take a lesson to be first!</p>
    );
  } else {
    const you = board.data.you;
    const youListed = board.data.items.some((entry) => entry.is_you);
    body = (
      <>
        <ol className="learn-board" aria-label={period === 'week' ? 'XP this week' : 'XP of all time'}>
          {board.data.items.map((entry) => (
            <BoardRow key={`${entry.rank}-${entry.display_name}`} entry={entry} />
          ))}
        </ol>
        {you && !youListed && (
          <ol className="learn-board" aria-label="Your place">
            <BoardRow entry={you} />
          </ol>
        )}
      </>
    );
  }
  return (
    <div className="learn-screen">
      <BackLink to="/learn" label="Learn" />
      <Page title="Leaderboard" intro="XP from lessons, quizzes and reviews. The week starts on Monday.">
        <SegmentedControl label="Period" options={PERIODS} value={period} onChange={setPeriod} />
        {body}
      </Page>
    </div>
  );
}

function BoardRow({ entry }: { entry: Entry }) {
  return (
    <li className={`learn-board__row${entry.is_you ? ' learn-board__row--you' : ''}`} value={entry.rank}>
      <span className="learn-board__rank">{formatCount(entry.rank)}</span>
      <span className="learn-board__name">
        {entry.display_name}
        {entry.is_you && <span className="learn-board__you"> (you)</span>}
      </span>
      <span className="learn-board__xp">{formatCount(entry.xp)} XP</span>
    </li>
  );
}
