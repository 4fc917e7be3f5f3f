import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { describeError, type User } from '@/lib/api';
import { formatDate } from '@/lib/format';

import { useMe } from '../api/me';
import './account-card.css';

/** Who the app thinks you are: for now always a guest, identified by the session's user id. */
export function AccountCard() {
  const me = useMe();
  return (
    <Card className="account-card" aria-busy={me.isPending}>
      <h2>Account</h2>
      {me.isPending && <AccountSkeleton />}
      {me.isError && (
        <div role="alert" className="account-card__error">
          <p>{describeError(me.error)}</p>
          <Button variant="secondary" onClick={() => void me.refetch()}>
            Retry
          </Button>
        </div>
      )}
      {me.data && <AccountDetails user={me.data} />}
    </Card>
  );
}

function AccountDetails({ user }: { user: User }) {
  return (
    <>
      <div className="account-card__identity">
        <span className="account-card__name">{user.is_guest ? 'Guest' : 'Wallet user'}</span>
        {user.is_guest && <Badge tone="info">No sign-in needed</Badge>}
      </div>
      <dl className="account-card__facts">
        <div>
          <dt>User ID</dt>
          <dd className="account-card__id" data-testid="user-id">
            {user.id}
          </dd>
        </div>
        {user.wallet_address && (
          <div>
            <dt>Wallet</dt>
            <dd className="account-card__id">{user.wallet_address}</dd>
          </div>
        )}
        <div>
          <dt>Since</dt>
          <dd>{formatDate(user.created_at)}</dd>
        </div>
      </dl>
      {user.is_guest && (
        <p className="account-card__note">
          You are using EAILI5 as a guest. Signing in with your wallet is coming soon, and will keep what you did.
        </p>
      )}
    </>
  );
}

function AccountSkeleton() {
  return (
    <div className="account-card__skeleton">
      <span className="visually-hidden">Loading your account</span>
      <Skeleton width="30%" height="1.25rem" />
      <Skeleton width="85%" />
      <Skeleton width="45%" />
    </div>
  );
}
