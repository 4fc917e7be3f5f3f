import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { renderWithProviders } from '@/test/render';

import { BottomNav } from './bottom-nav';
import { TABS } from './tabs';

describe('BottomNav', () => {
  it('is a labelled navigation with all five tabs', () => {
    renderWithProviders(<BottomNav />, { path: '/chat' });
    const nav = screen.getByRole('navigation', { name: 'Main' });
    const links = screen.getAllByRole('link');
    expect(nav).toContainElement(links[0] ?? null);
    expect(links.map((link) => link.textContent)).toEqual(TABS.map((tab) => tab.label));
  });

  it('marks only the current tab with aria-current="page"', () => {
    renderWithProviders(<BottomNav />, { path: '/market' });
    expect(screen.getByRole('link', { name: 'Market' })).toHaveAttribute('aria-current', 'page');
    for (const label of ['Chat', 'Learn', 'Portfolio', 'Profile']) {
      expect(screen.getByRole('link', { name: label })).not.toHaveAttribute('aria-current');
    }
  });
});
