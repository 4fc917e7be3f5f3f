import { Link } from 'react-router';

import { BackIcon } from '@/components/icons';

/** The way up from a Learn sub-screen (a path, a lesson, the review…), above its title. */
export function BackLink({ to, label }: { to: string; label: string }) {
  return (
    <Link to={to} className="learn-back">
      <BackIcon />
      {label}
    </Link>
  );
}
