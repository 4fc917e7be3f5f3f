import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { type User } from '@/lib/api';
import { renderWithProviders } from '@/test/render';

import { meQueryOptions } from '../api/me';
import { ProfilePage } from './profile-page';

const GUEST: User = {
  id: '0b7e4c1e-5d1a-4f3e-9a57-2f1d9c3b8a10',
  wallet_address: null,
  is_guest: true,
  created_at: '2026-11-26T14:00:00Z',
  preferences: { reading_level: 'eli5', time_zone: 'UTC' },
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
});
