import { type JSX } from 'react';

import { type ThemePreference, nextThemePreference, useTheme } from '@/lib/theme';

import { MoonIcon, SunIcon, SystemThemeIcon } from './icons';
import './theme-toggle.css';

const LABELS: Record<ThemePreference, string> = {
  system: 'same as device',
  light: 'light',
  dark: 'dark',
};

const ICONS: Record<ThemePreference, () => JSX.Element> = {
  system: SystemThemeIcon,
  light: SunIcon,
  dark: MoonIcon,
};

/** One compact button for the top bar that cycles the theme; the full choice is in Profile. */
export function ThemeToggle() {
  const { preference, system, setPreference } = useTheme();
  const next = nextThemePreference(preference, system);
  const CurrentIcon = ICONS[preference];
  const label = `Theme: ${LABELS[preference]}. Switch to ${LABELS[next]}`;
  return (
    <button
      type="button"
      className="theme-toggle"
      aria-label={label}
      title={label}
      onClick={() => {
        setPreference(next);
      }}
    >
      <CurrentIcon />
    </button>
  );
}
