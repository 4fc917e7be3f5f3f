import { useId } from 'react';

import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { type ActiveSession, describeError } from '@/lib/api';
import { formatDate, formatRelativeTime } from '@/lib/format';

import { useActiveSessions, useEndSessions } from '../api/sessions';
import { describeDevice } from './describe-device';
import './sessions-card.css';

function SessionRow({ session, onEnd, ending }: { session: ActiveSession; onEnd: () => void; ending: boolean }) {
  const device = describeDevice(session.user_agent);
  return (
    <li className="sessions-card__row" data-testid="session-row">
      <div className="sessions-card__device">
        <span className="sessions-card__name">{device}</span>
        {session.current && <Badge tone="info">This device</Badge>}
      </div>
      <p className="sessions-card__meta">
        Since {formatDate(session.created_at)}
        {session.last_seen_at ? ` · active ${formatRelativeTime(session.last_seen_at)}` : ''}
      </p>
      {!session.current && (
        <Button
          variant="secondary"
          className="sessions-card__end"
          disabled={ending}
          aria-label={`End the session on ${device}, since ${formatDate(session.created_at)}`}
          onClick={onEnd}
        >
          End
        </Button>
      )}
    </li>
  );
}

/** Where this wallet is signed in, and a way to end the other places (a lost phone, a shared computer). */
export function SessionsCard() {
  const sessions = useActiveSessions(true);
  const end = useEndSessions();
  const headingId = useId();
  const others = (sessions.data ?? []).filter((session) => !session.current);
  return (
    <Card className="sessions-card" role="region" aria-labelledby={headingId} aria-busy={sessions.isPending}>
      <h2 id={headingId}>Active sessions</h2>
      {sessions.isPending && <Skeleton height="3rem" />}
      {sessions.isError && (
        <div role="alert" className="sessions-card__alert">
          <p>{describeError(sessions.error)}</p>
          <Button variant="secondary" onClick={() => void sessions.refetch()}>
            Retry
          </Button>
        </div>
      )}
      {sessions.data && (
        <ul className="sessions-card__list">
          {sessions.data.map((session) => (
            <SessionRow
              key={session.id}
              session={session}
              ending={end.isPending}
              onEnd={() => {
                end.mutate([session.id]);
              }}
            />
          ))}
        </ul>
      )}
      {others.length > 1 && (
        <Button
          variant="secondary"
          disabled={end.isPending}
          onClick={() => {
            end.mutate(others.map((session) => session.id));
          }}
        >
          End all other sessions
        </Button>
      )}
      {end.isError && (
        <p role="alert" className="sessions-card__alert">
          {describeError(end.error)}
        </p>
      )}
    </Card>
  );
}
