import { type RiskFlag } from '@/lib/api';

export const MAX_RISK_BADGES = 2;

/**
 * The badges a row has room for: the most serious flags first (danger before warning, otherwise in
 * the server's order), at most `max`, and how many more there are for a "+n" badge.
 */
export function splitRiskFlags(
  flags: readonly RiskFlag[],
  max = MAX_RISK_BADGES,
): { shown: RiskFlag[]; hiddenCount: number } {
  const ordered = [...flags].sort((a, b) => severity(b) - severity(a));
  const shown = ordered.slice(0, Math.max(0, max));
  return { shown, hiddenCount: flags.length - shown.length };
}

function severity(flag: RiskFlag): number {
  return flag.level === 'danger' ? 1 : 0;
}
