import { Card } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { type LearnProgress } from '@/lib/api';
import { formatCount } from '@/lib/format';

import { FlameIcon } from './learn-icons';

function dayWord(days: number): string {
  return days === 1 ? 'day' : 'days';
}

/** Streak, XP and level at the top of Learn. Numbers come from the server, so they follow you. */
export function LearnStats({ progress }: { progress: LearnProgress | undefined }) {
  if (!progress) {
    return (
      <Card className="learn-stats" aria-busy="true">
        <span className="visually-hidden" role="status">
          Loading your progress
        </span>
        <Skeleton height="3.5rem" radius="var(--radius-sm)" />
      </Card>
    );
  }
  const { streak, level } = progress;
  const levelPct = level.xp_for_next_level > 0 ? Math.round((100 * level.xp_into_level) / level.xp_for_next_level) : 0;
  return (
    <Card className="learn-stats" data-testid="learn-stats">
      <h2 className="visually-hidden">Your progress</h2>
      <dl className="learn-stats__grid">
        <div className="learn-stats__item">
          <dt>Streak</dt>
          <dd data-testid="streak">
            <span className="learn-stats__value">{formatCount(streak.current)}</span> {dayWord(streak.current)}
            {streak.current > 0 && (
              <span className="learn-flame" aria-hidden="true">
                <FlameIcon />
              </span>
            )}
          </dd>
          <dd className="learn-stats__hint">{streak.today_done ? 'Done today ✓' : 'Learn today to keep it'}</dd>
        </div>
        <div className="learn-stats__item">
          <dt>XP</dt>
          <dd data-testid="xp">
            <span className="learn-stats__value">{formatCount(progress.xp)}</span> XP
          </dd>
          <dd className="learn-stats__hint">{formatCount(progress.xp_this_week)} this week</dd>
        </div>
        <div className="learn-stats__item">
          <dt>Level</dt>
          <dd data-testid="level">
            <span className="learn-stats__value">{formatCount(level.level)}</span>
          </dd>
          <dd className="learn-stats__hint">
            <span
              className="learn-stats__bar"
              role="progressbar"
              aria-label={`Level ${level.level + 1}`}
              aria-valuemin={0}
              aria-valuemax={level.xp_for_next_level}
              aria-valuenow={level.xp_into_level}
              aria-valuetext={`${formatCount(level.xp_into_level)} of ${formatCount(level.xp_for_next_level)} XP to level ${level.level + 1}`}
            >
              <span style={{ width: `${levelPct}%` }} />
            </span>
          </dd>
        </div>
      </dl>
      <p className="learn-stats__lessons">
        {formatCount(progress.lessons_completed)} of {formatCount(progress.lessons_total)} lessons done
      </p>
    </Card>
  );
}
