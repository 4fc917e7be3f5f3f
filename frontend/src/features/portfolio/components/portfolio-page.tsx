import { Card } from '@/components/ui/card';
import { ComingSoon, Page } from '@/components/ui/page';
import { formatUsd } from '@/lib/format';

import './portfolio-page.css';

/** Every practice portfolio starts with this much play money. */
const STARTING_BALANCE_USD = 100;

const COMING = [
  'Buy and sell Base tokens at live prices, with honest fees and price impact',
  'Limit and stop orders',
  'Profit and loss, trade history and a chart of your balance',
  'A leaderboard, and a reset whenever you want a fresh start',
] as const;

export function PortfolioPage() {
  return (
    <Page title="Portfolio" intro="Practise trading with play money. No real money, no risk.">
      <Card className="portfolio-balance">
        <h2>Practice balance</h2>
        <p className="portfolio-balance__amount">{formatUsd(STARTING_BALANCE_USD)}</p>
        <p className="portfolio-balance__note">Play money to practise with. It is not real and cannot be withdrawn.</p>
      </Card>
      <ComingSoon items={COMING} />
    </Page>
  );
}
