import { Icon as AppIcon } from '@/components/icons';
import { type ReactNode } from 'react';

/**
 * Line icons of the Learn tab, drawn rather than emoji so they look the same on every phone,
 * including ones without an emoji font. Always decorative.
 */
function Icon({ children }: { children: ReactNode }) {
  return <AppIcon className="learn-icon">{children}</AppIcon>;
}

export function LockIcon() {
  return (
    <Icon>
      <rect x="5" y="11" width="14" height="10" rx="2" />
      <path d="M8 11V8a4 4 0 0 1 8 0v3" />
    </Icon>
  );
}

export function CheckIcon() {
  return (
    <Icon>
      <path d="M5 12.5l4.5 4.5L19 7.5" />
    </Icon>
  );
}

export function CrossIcon() {
  return (
    <Icon>
      <path d="M6 6l12 12M18 6L6 18" />
    </Icon>
  );
}

export function ArrowRightIcon() {
  return (
    <Icon>
      <path d="M5 12h14M13 6l6 6-6 6" />
    </Icon>
  );
}

export function FlameIcon() {
  return (
    <Icon>
      <path d="M12 3c1 3.5 5 5.5 5 10a5 5 0 0 1-10 0c0-2.5 1.5-4 2.5-5 .2 1.7 1 2.8 2 3.3C11 8.5 11.5 5.5 12 3z" />
    </Icon>
  );
}

export function MedalIcon() {
  return (
    <Icon>
      <path d="M8 3l2.5 6M16 3l-2.5 6" />
      <circle cx="12" cy="15" r="6" />
      <path d="M12 12.5l.9 1.8 2 .3-1.45 1.4.35 2-1.8-.95-1.8.95.35-2L9.1 14.6l2-.3z" />
    </Icon>
  );
}
