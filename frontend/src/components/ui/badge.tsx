import { type ReactNode } from 'react';

import './badge.css';

type BadgeTone = 'neutral' | 'info' | 'warning' | 'danger';

export function Badge({ tone = 'neutral', children }: { tone?: BadgeTone; children: ReactNode }) {
  return <span className={`ui-badge ui-badge--${tone}`}>{children}</span>;
}
