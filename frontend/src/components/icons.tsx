import { type ReactNode, type SVGProps } from 'react';

/**
 * Small line icons drawn for this app (24×24, stroke = currentColor). Decorative: every control
 * that shows one also has a text label or an accessible name.
 */
export function Icon({ children, ...props }: SVGProps<SVGSVGElement> & { children: ReactNode }) {
  return (
    <svg
      width="24"
      height="24"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...props}
    >
      {children}
    </svg>
  );
}

export function ChatIcon() {
  return (
    <Icon>
      <path d="M5 4h14a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-8l-5 4v-4H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z" />
      <path d="M8 9.5h8M8 12.5h5" />
    </Icon>
  );
}

export function LearnIcon() {
  return (
    <Icon>
      <path d="M3 5h6a3 3 0 0 1 3 3v12a2.5 2.5 0 0 0-2.5-2.5H3z" />
      <path d="M21 5h-6a3 3 0 0 0-3 3v12a2.5 2.5 0 0 1 2.5-2.5H21z" />
    </Icon>
  );
}

export function MarketIcon() {
  return (
    <Icon>
      <path d="M3 3v18h18" />
      <path d="M7 15l4-4 3 3 6-7" />
    </Icon>
  );
}

export function PortfolioIcon() {
  return (
    <Icon>
      <path d="M4 7h14a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2h11" />
      <path d="M16 13.5h.01" strokeWidth="3" />
    </Icon>
  );
}

export function ProfileIcon() {
  return (
    <Icon>
      <circle cx="12" cy="8" r="4" />
      <path d="M4 21a8 8 0 0 1 16 0" />
    </Icon>
  );
}

export function SunIcon() {
  return (
    <Icon>
      <circle cx="12" cy="12" r="4" />
      <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
    </Icon>
  );
}

export function MoonIcon() {
  return (
    <Icon>
      <path d="M20 14.5A8.5 8.5 0 1 1 9.5 4a6.5 6.5 0 0 0 10.5 10.5z" />
    </Icon>
  );
}

export function SystemThemeIcon() {
  return (
    <Icon>
      <circle cx="12" cy="12" r="9" />
      <path d="M12 3a9 9 0 0 1 0 18z" fill="currentColor" />
    </Icon>
  );
}

/** The app mark: a speech bubble (the tutor) in the brand colour. */
export function LogoMark() {
  return (
    <svg className="logo-mark" width="28" height="28" viewBox="0 0 28 28" aria-hidden="true" focusable="false">
      <rect width="28" height="28" rx="8" fill="var(--color-primary)" />
      <path
        d="M8 8.5h12a1.5 1.5 0 0 1 1.5 1.5v6.5A1.5 1.5 0 0 1 20 18h-6l-4 3.5V18H8a1.5 1.5 0 0 1-1.5-1.5V10A1.5 1.5 0 0 1 8 8.5z"
        fill="var(--color-on-primary)"
      />
    </svg>
  );
}

/** Filled triangles for price moves: shape as well as colour tells up from down. */
export function ArrowUpIcon() {
  return (
    <svg width="10" height="10" viewBox="0 0 10 10" aria-hidden="true" focusable="false">
      <path d="M5 1.5 9 8.5H1z" fill="currentColor" />
    </svg>
  );
}

export function ArrowDownIcon() {
  return (
    <svg width="10" height="10" viewBox="0 0 10 10" aria-hidden="true" focusable="false">
      <path d="M5 8.5 1 1.5h8z" fill="currentColor" />
    </svg>
  );
}

export function SearchIcon() {
  return (
    <Icon width="18" height="18">
      <circle cx="11" cy="11" r="7" />
      <path d="m20 20-3.5-3.5" />
    </Icon>
  );
}

export function WarningIcon() {
  return (
    <Icon width="18" height="18">
      <path d="M12 3 2 20h20z" />
      <path d="M12 10v4M12 17h.01" />
    </Icon>
  );
}

export function BackIcon() {
  return (
    <Icon width="18" height="18">
      <path d="M15 5l-7 7 7 7" />
    </Icon>
  );
}
