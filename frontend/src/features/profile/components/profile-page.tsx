import { ThemePicker } from '@/components/theme-picker';
import { Card } from '@/components/ui/card';
import { ComingSoon, Page } from '@/components/ui/page';

import { AccountCard } from './account-card';

const COMING = [
  'Sign in with your wallet (smart wallets too) and keep everything you did as a guest',
  'Your progress: XP, streaks and badges across every learning path',
  'Reading level for the tutor: ELI5, Simple or Pro',
] as const;

export function ProfilePage() {
  return (
    <Page title="Profile" intro="Your account, your progress and your settings. Signing in is optional.">
      <AccountCard />
      <Card>
        <h2>Settings</h2>
        <ThemePicker />
      </Card>
      <ComingSoon items={COMING} />
    </Page>
  );
}
