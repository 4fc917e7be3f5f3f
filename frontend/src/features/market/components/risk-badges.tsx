import { Badge } from '@/components/ui/badge';
import { type RiskFlag } from '@/lib/api';

import { splitRiskFlags } from '../api/risk';

/** Up to two risk flags as small badges, then "+n" for the rest (all listed on the token page). */
export function RiskBadges({ flags }: { flags: readonly RiskFlag[] }) {
  if (flags.length === 0) return null;
  const { shown, hiddenCount } = splitRiskFlags(flags);
  return (
    <span className="risk-badges">
      {shown.map((flag) => (
        <Badge key={flag.code} tone={flag.level === 'danger' ? 'danger' : 'warning'}>
          {flag.title}
        </Badge>
      ))}
      {hiddenCount > 0 && (
        <Badge>
          +{hiddenCount}
          <span className="visually-hidden"> more risk {hiddenCount === 1 ? 'flag' : 'flags'}</span>
        </Badge>
      )}
    </span>
  );
}
