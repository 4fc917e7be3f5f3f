import { type JSX, useId } from 'react';

import { THEME_PREFERENCES, type ThemePreference, useTheme } from '@/lib/theme';

import { MoonIcon, SunIcon, SystemThemeIcon } from './icons';
import './theme-picker.css';

const OPTIONS: Record<ThemePreference, { label: string; Icon: () => JSX.Element }> = {
  system: { label: 'Device', Icon: SystemThemeIcon },
  light: { label: 'Light', Icon: SunIcon },
  dark: { label: 'Dark', Icon: MoonIcon },
};

/** The full theme setting: a native radio group, so arrow keys and screen readers just work. */
export function ThemePicker() {
  const { preference, setPreference } = useTheme();
  const hintId = useId();
  return (
    <fieldset className="theme-picker">
      <legend className="theme-picker__legend">Theme</legend>
      <p className="theme-picker__hint" id={hintId}>
        “Device” follows the light or dark setting of your phone.
      </p>
      <div className="theme-picker__options">
        {THEME_PREFERENCES.map((option) => {
          const { label, Icon } = OPTIONS[option];
          return (
            <label key={option} className="theme-picker__option">
              <input
                type="radio"
                name="theme"
                value={option}
                checked={preference === option}
                aria-describedby={option === 'system' ? hintId : undefined}
                onChange={() => {
                  setPreference(option);
                }}
              />
              <span className="theme-picker__face">
                <Icon />
                {label}
              </span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}
