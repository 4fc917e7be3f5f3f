import { type CSSProperties } from 'react';

import './skeleton.css';

/** A grey placeholder block with the size of the content that is on its way. Decorative. */
export function Skeleton({
  width = '100%',
  height = '1rem',
  radius,
}: {
  width?: string;
  height?: string;
  radius?: string;
}) {
  const style: CSSProperties = { width, height, borderRadius: radius };
  return <span className="ui-skeleton" style={style} aria-hidden="true" />;
}

/**
 * The loading state of a whole page: title, intro and two cards. Announced once as "Loading" so
 * screen-reader users know why nothing is there yet.
 */
export function PageSkeleton({ label = 'Loading' }: { label?: string }) {
  return (
    <div className="ui-page-skeleton" role="status" aria-live="polite">
      <span className="visually-hidden">{label}</span>
      <Skeleton width="40%" height="1.75rem" />
      <Skeleton width="90%" />
      <Skeleton width="70%" />
      <Skeleton height="7rem" radius="var(--radius-md)" />
      <Skeleton height="5rem" radius="var(--radius-md)" />
    </div>
  );
}
