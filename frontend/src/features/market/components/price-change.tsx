import { ArrowDownIcon, ArrowUpIcon } from '@/components/icons';
import { formatPercent } from '@/lib/format';

import './price-change.css';

/** A percentage change with sign, arrow and colour, so colour is never the only cue. */
export function PriceChange({ value, label = 'in 24 hours' }: { value: string | null; label?: string }) {
  const number = value === null ? NaN : Number(value);
  const rounded = Math.round(number * 100) / 100;
  const direction = !Number.isFinite(rounded) || rounded === 0 ? 'flat' : rounded > 0 ? 'up' : 'down';
  const text = formatPercent(value, { signed: true }).replace('-', '−');
  return (
    <span className={`price-change price-change--${direction}`}>
      {direction === 'up' && <ArrowUpIcon />}
      {direction === 'down' && <ArrowDownIcon />}
      <span>{text}</span>
      <span className="visually-hidden"> {label}</span>
    </span>
  );
}
