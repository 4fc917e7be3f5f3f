import { type JSX } from 'react';

import { ChatIcon, LearnIcon, MarketIcon, PortfolioIcon, ProfileIcon } from '@/components/icons';

export interface Tab {
  path: string;
  label: string;
  Icon: () => JSX.Element;
}

/** The five sections of the app, in bottom-navigation order. Chat is the default. */
export const TABS: readonly Tab[] = [
  { path: '/chat', label: 'Chat', Icon: ChatIcon },
  { path: '/learn', label: 'Learn', Icon: LearnIcon },
  { path: '/market', label: 'Market', Icon: MarketIcon },
  { path: '/portfolio', label: 'Portfolio', Icon: PortfolioIcon },
  { path: '/profile', label: 'Profile', Icon: ProfileIcon },
];

export const DEFAULT_TAB_PATH = '/chat';

export function tabForPath(pathname: string): Tab | undefined {
  return TABS.find((tab) => pathname === tab.path || pathname.startsWith(`${tab.path}/`));
}
