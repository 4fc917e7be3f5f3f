import { Link, type LinkProps } from 'react-router';

import './button.css';

export interface LinkButtonProps extends LinkProps {
  variant?: 'primary' | 'secondary' | 'ghost';
}

/** A navigation that looks like a button (it is still a link for assistive technology). */
export function LinkButton({ variant = 'primary', className, ...props }: LinkButtonProps) {
  const classes = ['ui-button', `ui-button--${variant}`, 'ui-button--link', className].filter(Boolean).join(' ');
  return <Link className={classes} {...props} />;
}
