import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { RiskBadges } from './risk-badges';

const flags = ['Low liquidity', 'New pool', 'Big 24h move'].map((title, index) => ({
  code: `code-${index}`,
  level: 'warning' as const,
  title,
  explanation: 'Why it matters.',
}));

describe('RiskBadges', () => {
  it('shows two badges and a "+n" badge that says what it counts', () => {
    render(<RiskBadges flags={flags} />);
    expect(screen.getByText('Low liquidity')).toBeInTheDocument();
    expect(screen.getByText('New pool')).toBeInTheDocument();
    expect(screen.queryByText('Big 24h move')).not.toBeInTheDocument();
    expect(screen.getByText(/\+1/)).toHaveTextContent('+1 more risk flag');
  });

  it('renders nothing without flags', () => {
    const { container } = render(<RiskBadges flags={[]} />);
    expect(container).toBeEmptyDOMElement();
  });
});
