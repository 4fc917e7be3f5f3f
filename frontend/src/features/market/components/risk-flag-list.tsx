import { WarningIcon } from '@/components/icons';
import { type RiskFlag } from '@/lib/api';

/** Every risk flag of a token, with the plain-words reason it matters. */
export function RiskFlagList({ flags }: { flags: readonly RiskFlag[] }) {
  if (flags.length === 0) {
    return (
      <p className="risk-flags__none">No warning signs in the numbers we check. That is not a promise it is safe.</p>
    );
  }
  return (
    <ul className="risk-flags">
      {flags.map((flag) => (
        <li key={flag.code} className={`risk-flags__item risk-flags__item--${flag.level}`}>
          <WarningIcon />
          <div>
            <p className="risk-flags__title">
              {flag.title}
              <span className="visually-hidden"> ({flag.level === 'danger' ? 'high risk' : 'be careful'})</span>
            </p>
            <p className="risk-flags__explanation">{flag.explanation}</p>
          </div>
        </li>
      ))}
    </ul>
  );
}
