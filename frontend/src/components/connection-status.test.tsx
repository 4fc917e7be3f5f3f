import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { ConnectionStatusView } from './connection-status';

describe('ConnectionStatusView', () => {
  it.each([
    ['connected', 'Connected'],
    ['connecting', 'Connecting…'],
    ['offline', 'Offline'],
  ] as const)('spells out the %s state in a status region', (state, text) => {
    render(<ConnectionStatusView state={state} />);
    expect(screen.getByRole('status')).toHaveTextContent(`Live updates: ${text}`);
  });
});
