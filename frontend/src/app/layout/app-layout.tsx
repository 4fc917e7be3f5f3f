import { Outlet } from 'react-router';

import { SessionGate } from '../session-gate';
import { BottomNav } from './bottom-nav';
import { TopBar } from './top-bar';
import { useRouteFocus } from './use-route-focus';
import './app-layout.css';

export function AppLayout() {
  useRouteFocus();
  return (
    <div className="app-layout">
      <a className="app-layout__skip-link" href="#main">
        Skip to content
      </a>
      <TopBar />
      <main id="main" className="app-layout__main" tabIndex={-1}>
        <SessionGate>
          <Outlet />
        </SessionGate>
      </main>
      <BottomNav />
    </div>
  );
}
