import { type MarketSourceName } from '@/lib/api';

const SOURCE_NAMES: Record<MarketSourceName, string> = {
  simulated: 'Simulated market',
  geckoterminal: 'GeckoTerminal',
  dexscreener: 'DexScreener',
  coingecko: 'CoinGecko',
  bitquery: 'Bitquery',
};

/** The vendor's name as people know it. */
export function sourceName(source: string): string {
  return source in SOURCE_NAMES ? SOURCE_NAMES[source as MarketSourceName] : source;
}
