import { ArrowDownIcon, ArrowUpIcon } from '@/components/icons';
import { type NumericInput, direction, formatPercent, formatSignedUsd } from '@/lib/format';

/** A gain or loss in dollars (and percent), with sign, arrow and colour: colour is never the only cue. */
export function Pnl({ usd, pct, label }: { usd: NumericInput; pct?: NumericInput; label?: string }) {
  const way = direction(usd);
  const money = formatSignedUsd(usd).replace('-', '−');
  const percent = pct === undefined ? null : formatPercent(pct, { signed: true }).replace('-', '−');
  return (
    <span className={`pf-pnl pf-pnl--${way}`}>
      {way === 'up' && <ArrowUpIcon />}
      {way === 'down' && <ArrowDownIcon />}
      <span>
        {money}
        {percent !== null && ` (${percent})`}
      </span>
      {label && <span className="visually-hidden"> {label}</span>}
    </span>
  );
}
