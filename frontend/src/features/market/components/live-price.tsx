import { formatPrice } from '@/lib/format';

import { useFlash } from '../hooks/use-flash';
import './live-price.css';

/**
 * A price that briefly tints green or red when a live tick moves it. The tint is decoration (the
 * change column says the direction in words and arrows); with reduced motion it does not animate.
 */
export function LivePrice({ value, className }: { value: string | null; className?: string }) {
  const flash = useFlash(value);
  const classes = ['live-price', flash ? `live-price--${flash.direction}` : '', className].filter(Boolean).join(' ');
  return (
    <span key={flash?.id ?? 0} className={classes} data-testid="live-price">
      {formatPrice(value)}
    </span>
  );
}
