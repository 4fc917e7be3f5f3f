import { Link } from 'react-router';

import { ConnectionStatus } from '@/components/connection-status';
import { LogoMark } from '@/components/icons';
import { ThemeToggle } from '@/components/theme-toggle';

import { DEFAULT_TAB_PATH } from './tabs';
import './top-bar.css';

export function TopBar() {
  return (
    <header className="top-bar">
      <div className="top-bar__inner">
        {/* The accessible name starts with the visible text (WCAG 2.5.3): "EAILI5 home". */}
        <Link to={DEFAULT_TAB_PATH} className="top-bar__brand">
          <LogoMark />
          <span className="top-bar__name">EAILI5</span>
          <span className="visually-hidden"> home</span>
        </Link>
        <div className="top-bar__actions">
          <ConnectionStatus />
          <ThemeToggle />
        </div>
      </div>
    </header>
  );
}
