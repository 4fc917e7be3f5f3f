import { NavLink } from 'react-router';

import { TABS } from './tabs';
import './bottom-nav.css';

/** Thumb-reach navigation. NavLink sets aria-current="page" on the active tab. */
export function BottomNav() {
  return (
    <nav className="bottom-nav" aria-label="Main">
      <ul className="bottom-nav__list">
        {TABS.map(({ path, label, Icon }) => (
          <li key={path}>
            <NavLink to={path} className="bottom-nav__link">
              <Icon />
              <span className="bottom-nav__label">{label}</span>
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
