import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { ComingSoon, Page } from '@/components/ui/page';

import { useMarketSource } from '../hooks/use-market-source';

const COMING = [
  'Live Base tokens with price, 24h change, volume and liquidity',
  'Candlestick charts you can read at a glance',
  'Risk flags (brand-new, illiquid or scam-like tokens) explained like you are five',
] as const;

export function MarketPage() {
  const source = useMarketSource();
  return (
    <Page
      title="Market"
      intro="Explore live tokens on Base: price, chart and risk flags, each explained in simple words."
      aside={source === 'simulated' ? <Badge tone="warning">Simulated market</Badge> : null}
    >
      {source === 'simulated' && (
        <Card>
          <h2>Prices here are simulated</h2>
          <p>
            This copy of EAILI5 runs without live market data: prices in the embedded mode are simulated from a snapshot
            of real Base tokens. They move like a market, but they are not real prices.
          </p>
        </Card>
      )}
      <ComingSoon items={COMING} />
    </Page>
  );
}
