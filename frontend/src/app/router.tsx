import { createBrowserRouter, Navigate } from 'react-router';

import { ChatPage } from '@/features/chat/components/chat-page';
import { LearnPage } from '@/features/learn/components/learn-page';
import { MarketPage } from '@/features/market/components/market-page';
import { TokenPage } from '@/features/market/components/token-page';
import { PortfolioPage } from '@/features/portfolio/components/portfolio-page';
import { ProfilePage } from '@/features/profile/components/profile-page';

import { CrashScreen, RouteErrorScreen } from './error-boundary';
import { AppLayout } from './layout/app-layout';
import { DEFAULT_TAB_PATH } from './layout/tabs';
import { NotFoundPage } from './not-found-page';

export const routes = [
  {
    path: '/',
    element: <AppLayout />,
    errorElement: <CrashScreen />,
    children: [
      {
        // A page that throws is replaced inside the layout, so the navigation still works.
        errorElement: <RouteErrorScreen />,
        children: [
          { index: true, element: <Navigate to={DEFAULT_TAB_PATH} replace /> },
          { path: 'chat', element: <ChatPage /> },
          { path: 'learn/*', element: <LearnPage /> },
          { path: 'market', element: <MarketPage /> },
          { path: 'market/:address', element: <TokenPage /> },
          { path: 'portfolio', element: <PortfolioPage /> },
          { path: 'profile', element: <ProfilePage /> },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(routes);
}
