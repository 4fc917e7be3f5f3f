import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { type ActiveSession, type User } from '@/lib/api';
import { renderWithProviders } from '@/test/render';

import { meQueryOptions } from '../api/me';
import { sessionsQueryOptions } from '../api/sessions';
import { rememberBasename } from '@/lib/wallet/basename-store';
import { ProfilePage } from './profile-page';

const GUEST: User = {
  id: '0b7e4c1e-5d1a-4f3e-9a57-2f1d9c3b8a10',
  wallet_address: null,
  is_guest: true,
  created_at: '2026-11-26T14:00:00Z',
  preferences: { reading_level: 'eli5', time_zone: 'UTC' },
};

const WALLET_USER: User = {
  ...GUEST,
  id: '5c3e9d0a-7b1f-4e2a-8c6d-1a2b3c4d5e6f',
  wallet_address: '0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045',
  is_guest: false,
};

const SESSION: ActiveSession = {
  id: 's0',
  created_at: '2026-11-26T14:00:00Z',
  last_seen_at: '2026-11-26T15:00:00Z',
  expires_at: '2026-12-26T14:00:00Z',
  current: false,
  method: 'siwe',
  user_agent: null,
};

describe('ProfilePage', () => {
  it('shows the guest user from /api/me', () => {
    renderWithProviders(<ProfilePage />, { cache: [[meQueryOptions.queryKey, GUEST]] });

    expect(screen.getByRole('heading', { level: 1, name: 'Profile' })).toBeInTheDocument();
    expect(screen.getByText('Guest')).toBeInTheDocument();
    expect(screen.getByTestId('user-id')).toHaveTextContent(GUEST.id);
  });

  it('changes and remembers the theme from the settings', async () => {
    const user = userEvent.setup();
    renderWithProviders(<ProfilePage />, { cache: [[meQueryOptions.queryKey, GUEST]] });

    expect(screen.getByRole('radio', { name: /Device/ })).toBeChecked();
    await user.click(screen.getByRole('radio', { name: /Dark/ }));

    expect(screen.getByRole('radio', { name: /Dark/ })).toBeChecked();
    expect(document.documentElement).toHaveAttribute('data-theme', 'dark');
    expect(localStorage.getItem('eaili5.theme')).toBe('dark');
  });

  it('explains signing to a guest before any wallet code loads', () => {
    renderWithProviders(<ProfilePage />, { cache: [[meQueryOptions.queryKey, GUEST]] });

    const signIn = screen.getByRole('region', { name: 'Sign in with your wallet' });
    expect(signIn).toHaveTextContent(/Not a transaction/);
    expect(signIn).toHaveTextContent(/costs nothing/);
    expect(screen.getByRole('button', { name: 'Sign in with wallet' })).toBeEnabled();
    expect(screen.queryByRole('region', { name: 'Active sessions' })).not.toBeInTheDocument();
  });

  it('shows a wallet user by shortened address, or by the Basename found at sign-in, with sessions', () => {
    const cache: [readonly unknown[], unknown][] = [
      [meQueryOptions.queryKey, WALLET_USER],
      [
        sessionsQueryOptions.queryKey,
        [
          { ...SESSION, id: 's1', current: true, user_agent: 'Mozilla/5.0 (X11; Linux) Chrome/131.0' },
          { ...SESSION, id: 's2', created_at: '2026-11-20T09:00:00Z', current: false, user_agent: null },
        ],
      ],
    ];
    const { unmount } = renderWithProviders(<ProfilePage />, { cache });

    expect(screen.getByTestId('wallet-identity')).toHaveTextContent('0xd8dA…6045');
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeEnabled();
    expect(screen.queryByRole('region', { name: 'Sign in with your wallet' })).not.toBeInTheDocument();
    const rows = screen.getAllByTestId('session-row');
    expect(rows[0]).toHaveTextContent(/This device/);
    expect(rows[1]).toHaveTextContent(/Unknown device/);
    expect(screen.getAllByRole('button', { name: /^End the session on/ })).toHaveLength(1);
    unmount();

    rememberBasename(WALLET_USER.wallet_address!, 'alice.base.eth');
    renderWithProviders(<ProfilePage />, { cache });
    expect(screen.getByTestId('wallet-identity')).toHaveTextContent('alice.base.eth');
  });

  it('shows the Farcaster account linked in a mini app host, alone or next to a wallet', () => {
    const farcasterUser: User = { ...GUEST, farcaster_fid: 6841 };
    const { unmount } = renderWithProviders(<ProfilePage />, {
      cache: [
        [meQueryOptions.queryKey, farcasterUser],
        [sessionsQueryOptions.queryKey, [{ ...SESSION, current: true, method: 'farcaster' }]],
      ],
    });
    expect(screen.getByTestId('farcaster-identity')).toHaveTextContent('Farcaster #6841');
    expect(screen.getByTestId('farcaster-account')).toHaveTextContent('FID 6841');
    expect(screen.queryByText(/kept in this browser/)).not.toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Active sessions' })).toBeInTheDocument();
    // A wallet can still be added.
    expect(screen.getByRole('button', { name: 'Sign in with wallet' })).toBeEnabled();
    unmount();

    renderWithProviders(<ProfilePage />, {
      cache: [
        [meQueryOptions.queryKey, { ...WALLET_USER, farcaster_fid: 6841 }],
        [sessionsQueryOptions.queryKey, []],
      ],
    });
    expect(screen.getByTestId('wallet-identity')).toHaveTextContent('0xd8dA…6045');
    expect(screen.getByTestId('farcaster-account')).toHaveTextContent('FID 6841');
    expect(screen.queryByTestId('farcaster-identity')).not.toBeInTheDocument();
  });

  it('asks for the typed confirmation before deleting', async () => {
    const user = userEvent.setup();
    renderWithProviders(<ProfilePage />, { cache: [[meQueryOptions.queryKey, GUEST]] });

    await user.click(screen.getByRole('button', { name: 'Delete my data' }));
    const confirm = screen.getByRole('button', { name: 'Delete everything' });
    expect(confirm).toBeDisabled();
    await user.type(screen.getByLabelText('Type DELETE MY DATA to confirm'), 'delete my dat');
    expect(confirm).toBeDisabled();
    await user.type(screen.getByLabelText('Type DELETE MY DATA to confirm'), 'a');
    expect(confirm).toBeEnabled();
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.getByRole('button', { name: 'Delete my data' })).toBeInTheDocument();
  });
});
