import { lazy, Suspense, useCallback, useId, useState } from 'react';

import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';

import './sign-in-card.css';

const WalletSignIn = lazy(() => import('./wallet-sign-in'));

/** What signing is and is not, before anyone is asked to sign anything. */
function SigningExplained() {
  return (
    <ul className="sign-in-card__facts">
      <li>
        <strong>Not a transaction.</strong> Signing sends nothing and costs nothing, not even a network fee.
      </li>
      <li>
        <strong>It only proves the wallet is yours.</strong> We never see your secret keys and cannot move your money.
      </li>
      <li>
        <strong>Keep what you did.</strong> Your lessons, practice trades and chats move to your wallet account, so you
        can use them on any device.
      </li>
      <li>
        <strong>No email, no form.</strong> Smart wallets like Base Account work too.
      </li>
    </ul>
  );
}

/** For guests: why and how to sign in with a wallet. The wallet code loads only after the tap. */
export function SignInCard() {
  const [open, setOpen] = useState(false);
  const [signedIn, setSignedIn] = useState(false);
  const headingId = useId();
  const onSignedIn = useCallback(() => {
    setSignedIn(true);
  }, []);
  return (
    <Card className="sign-in-card" aria-labelledby={headingId} role="region">
      <h2 id={headingId}>Sign in with your wallet</h2>
      <SigningExplained />
      {signedIn && (
        <p role="status" className="sign-in-card__done">
          You are signed in.
        </p>
      )}
      {!open && !signedIn && (
        <Button
          onClick={() => {
            setOpen(true);
          }}
        >
          Sign in with wallet
        </Button>
      )}
      {open && !signedIn && (
        <Suspense fallback={<WalletOptionsLoading />}>
          <WalletSignIn onSignedIn={onSignedIn} />
        </Suspense>
      )}
    </Card>
  );
}

function WalletOptionsLoading() {
  return (
    <div className="sign-in-card__loading">
      <span className="visually-hidden">Loading wallet options</span>
      <Skeleton height="2.75rem" />
      <Skeleton height="2.75rem" />
    </div>
  );
}
