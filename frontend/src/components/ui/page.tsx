import { type ReactNode, useId } from 'react';

import './page.css';

export interface PageProps {
  title: string;
  /** One or two sentences: what this screen is for, in plain words. */
  intro: ReactNode;
  /** Shown next to the title, e.g. a "Simulated market" badge. */
  aside?: ReactNode;
  children?: ReactNode;
}

/**
 * The frame of every tab. The heading takes focus after navigation (see use-route-focus), so it
 * has tabIndex -1 and the `data-page-heading` hook.
 */
export function Page({ title, intro, aside, children }: PageProps) {
  const headingId = useId();
  return (
    <section className="ui-page" aria-labelledby={headingId}>
      <header className="ui-page__header">
        <div className="ui-page__title-row">
          <h1 id={headingId} className="ui-page__title" tabIndex={-1} data-page-heading="">
            {title}
          </h1>
          {aside}
        </div>
        <p className="ui-page__intro">{intro}</p>
      </header>
      {children}
    </section>
  );
}

/** A titled list of what a placeholder screen will offer. */
export function ComingSoon({ title = 'Coming soon', items }: { title?: string; items: readonly string[] }) {
  const headingId = useId();
  return (
    <section className="ui-coming-soon" aria-labelledby={headingId}>
      <h2 id={headingId} className="ui-coming-soon__title">
        {title}
      </h2>
      <ul className="ui-coming-soon__list">
        {items.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </section>
  );
}
