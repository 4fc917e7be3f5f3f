import { type TryIt } from '@/lib/api';

/** Where a lesson's "try it" goes in the app: the tutor, a token's page, or a practice trade. */
export function tryItHref(tryIt: TryIt, address: string | null): string {
  if (tryIt.kind === 'ask') return `/chat?q=${encodeURIComponent(tryIt.prompt ?? tryIt.label)}`;
  // Without an address the market list, searched for the symbol, is the closest honest place.
  if (!address) return `/market?q=${encodeURIComponent(tryIt.symbol ?? '')}`;
  return tryIt.kind === 'token' ? `/market/${address}` : `/portfolio?token=${address}`;
}
