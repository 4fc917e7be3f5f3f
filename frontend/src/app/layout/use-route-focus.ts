import { useEffect, useRef } from 'react';
import { useLocation } from 'react-router';

import { tabForPath } from './tabs';

const APP_NAME = 'EAILI5';

/**
 * A client-side navigation is silent for screen readers and leaves keyboard focus on the tab that
 * was pressed. After each navigation (not the first load) we move focus to the new page's heading
 * and keep the document title in step, as a full page load would.
 */
export function useRouteFocus(): void {
  const { pathname } = useLocation();
  const isFirstRender = useRef(true);

  useEffect(() => {
    const tab = tabForPath(pathname);
    document.title = tab ? `${tab.label} · ${APP_NAME}` : APP_NAME;
    if (isFirstRender.current) {
      isFirstRender.current = false;
      return;
    }
    document.querySelector<HTMLElement>('[data-page-heading]')?.focus({ preventScroll: false });
  }, [pathname]);
}
