import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { type User } from '@/lib/api';
import { renderWithProviders } from '@/test/render';

import { SessionGate } from './session-gate';

const GUEST: User = {
  id: 'u-1',
  wallet_address: null,
  is_guest: true,
  created_at: '2026-11-26T14:00:00Z',
  preferences: { reading_level: 'eli5', time_zone: 'UTC' },
};

describe('SessionGate', () => {
  it('shows a skeleton, then an error with Retry when the API is unreachable, then the app', async () => {
    let apiUp = false;
    vi.stubGlobal(
      'fetch',
      vi.fn((request: Request) => {
        if (!apiUp) return Promise.reject(new TypeError('Failed to fetch'));
        const body =
          request.method === 'POST' ? { token: 't', expires_at: '2026-12-01T00:00:00Z', user: GUEST } : GUEST;
        return Promise.resolve(Response.json(body, { status: request.method === 'POST' ? 201 : 200 }));
      }),
    );
    const user = userEvent.setup();
    renderWithProviders(
      <SessionGate>
        <p>App content</p>
      </SessionGate>,
    );

    expect(screen.getByRole('status')).toHaveTextContent('Getting EAILI5 ready');

    const alert = await screen.findByRole('alert', {}, { timeout: 5000 });
    expect(alert).toHaveTextContent("We couldn't start your session");
    expect(screen.queryByText('App content')).not.toBeInTheDocument();

    apiUp = true;
    await user.click(screen.getByRole('button', { name: 'Retry' }));

    expect(await screen.findByText('App content')).toBeInTheDocument();
  });
});
