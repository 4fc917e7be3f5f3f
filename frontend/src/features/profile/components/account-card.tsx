import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { describeError, type User } from '@/lib/api';
import { formatDate } from '@/lib/format';
import { useMiniAppDisplayName } from '@/lib/miniapp';
import { useRememberedBasename } from '@/lib/wallet/basename-store';
import { shortenAddress } from '@/lib/wallet/chains';

import { useChecksumAddress } from '../api/checksum-address';
import { useMe } from '../api/me';
import { useSignOut } from '../api/sign-out';
import './account-card.css';

/** Who the app thinks you are: a guest, or a wallet shown by its Basename or shortened address. */
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

function Greeting() {
  // From the mini app host (e.g. a Farcaster client): a name to greet, never who is signed in.
  const displayName = useMiniAppDisplayName();
  return displayName ? <p className="account-card__greeting">Hi, {displayName}!</p> : null;
}

function AccountDetails({ user }: { user: User }) {
  return (
    <>
      <Greeting />
      <Identity user={user} />
      <dl className="account-card__facts">
        {user.wallet_address && <WalletAddress address={user.wallet_address} />}
        {user.farcaster_fid && (
          <div>
            <dt>Farcaster</dt>
            <dd data-testid="farcaster-account">FID {user.farcaster_fid}</dd>
          </div>
        )}
        <div>
          <dt>User ID</dt>
          <dd className="account-card__id" data-testid="user-id">
            {user.id}
          </dd>
        </div>
        <div>
          <dt>Since</dt>
          <dd>{formatDate(user.created_at)}</dd>
        </div>
      </dl>
      {user.is_guest && !user.farcaster_fid && (
        <p className="account-card__note">
          You are using EAILI5 as a guest: everything is kept in this browser. Sign in with a wallet to keep it on any
          device.
        </p>
      )}
    </>
  );
}

/** A wallet wins; else the Farcaster account linked in a mini app host (Quick Auth); else a guest. */
function Identity({ user }: { user: User }) {
  if (user.wallet_address) return <WalletIdentity address={user.wallet_address} />;
  if (user.farcaster_fid) return <FarcasterIdentity fid={user.farcaster_fid} />;
  return <GuestIdentity />;
}

function FarcasterIdentity({ fid }: { fid: number }) {
  return (
    <>
      <div className="account-card__identity">
        <span className="account-card__name" data-testid="farcaster-identity">
          Farcaster #{fid}
        </span>
        <Badge tone="info">Signed in with Farcaster</Badge>
      </div>
      <SignOutButton />
    </>
  );
}

function GuestIdentity() {
  return (
    <div className="account-card__identity">
      <span className="account-card__name">Guest</span>
      <Badge tone="info">No sign-in needed</Badge>
    </div>
  );
}

function WalletAddress({ address }: { address: string }) {
  const shown = useChecksumAddress(address);
  return (
    <div>
      <dt>Wallet address</dt>
      <dd className="account-card__id" data-testid="wallet-address">
        {shown}
      </dd>
    </div>
  );
}

function WalletIdentity({ address }: { address: string }) {
  const basename = useRememberedBasename(address);
  const shown = useChecksumAddress(address);
  return (
    <>
      <div className="account-card__identity">
        <span className="account-card__name" data-testid="wallet-identity" title={shown}>
          {basename ?? shortenAddress(shown)}
        </span>
        <Badge tone="info">Signed in with wallet</Badge>
      </div>
      <SignOutButton />
    </>
  );
}

function SignOutButton() {
  const signOut = useSignOut();
  return (
    <>
      <div className="account-card__actions">
        <Button
          variant="secondary"
          disabled={signOut.isPending}
          onClick={() => {
            signOut.mutate();
          }}
        >
          {signOut.isPending ? 'Signing out…' : 'Sign out'}
        </Button>
      </div>
      {signOut.isError && (
        <p role="alert" className="account-card__alert">
          {describeError(signOut.error)}
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
