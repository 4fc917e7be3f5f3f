import { ThemePicker } from '@/components/theme-picker';
import { Card } from '@/components/ui/card';
import { ComingSoon, Page } from '@/components/ui/page';

import { useMe } from '../api/me';
import { AccountCard } from './account-card';
import { MyDataCard } from './my-data-card';
import { SessionsCard } from './sessions-card';
import { SignInCard } from './sign-in-card';

const COMING = [
  'Your progress: XP, streaks and badges across every learning path',
  'Reading level for the tutor: ELI5, Simple or Pro',
] as const;

export function ProfilePage() {
  const me = useMe();
  // A wallet, or a Farcaster account linked in a mini app host: either way sessions exist elsewhere.
  const signedIn = Boolean(me.data && (!me.data.is_guest || me.data.farcaster_fid));
  return (
    <Page title="Profile" intro="Your account, your data and your settings. Signing in is optional.">
      <AccountCard />
      {me.data?.is_guest && <SignInCard key={me.data.id} />}
      {signedIn && <SessionsCard />}
      {me.data && <MyDataCard userId={me.data.id} signedIn={signedIn} />}
      <Card>
        <h2>Settings</h2>
        <ThemePicker />
      </Card>
      <ComingSoon items={COMING} />
    </Page>
  );
}
