import { Badge } from '@/components/ui/badge';
import { formatCompactUsd, formatCount, formatDate, formatPercent } from '@/lib/format';
import { type TokenDetail } from '@/lib/api';

interface Stat {
  label: string;
  value: string;
  detail?: string;
  explanation: string;
  estimate: boolean;
}

/** "aerodrome-v2-volatile" → "Aerodrome v2 volatile": the API's DEX ids, readable. */
function dexName(id: string): string {
  const words = id.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function days(count: number): string {
  return count === 1 ? '1 day' : `${formatCount(count)} days`;
}

function statsOf(token: TokenDetail): Stat[] {
  const estimate = token.stats_are_placeholders;
  const pool = token.main_pool;
  return [
    {
      label: 'Liquidity',
      value: formatCompactUsd(token.liquidity_usd),
      explanation: 'How much money sits in the pool for swaps. Low liquidity means your trade moves the price a lot.',
      estimate,
    },
    {
      label: '24h volume',
      value: formatCompactUsd(token.volume_24h_usd),
      explanation: 'How much was bought and sold in the last day. Busy tokens are easier to trade.',
      estimate,
    },
    {
      label: 'FDV',
      value: formatCompactUsd(token.fdv_usd),
      explanation: 'Fully diluted value: the price times every token that will ever exist.',
      estimate: false,
    },
    {
      label: 'Market cap',
      value: formatCompactUsd(token.market_cap_usd),
      explanation: 'The price times the tokens people can trade today.',
      estimate: false,
    },
    {
      label: 'Pool age',
      value: days(token.pool_age_days),
      detail: `since ${formatDate(`${token.pool_created_at}T12:00:00Z`)}`,
      explanation: 'How long the main pool has been open. Very new pools are more risky.',
      estimate,
    },
    {
      label: '24h transactions',
      value: formatCount(token.transactions_24h),
      explanation: 'How many trades happened in the last day. Few trades can mean few real buyers.',
      estimate: false,
    },
    {
      label: 'DEX and fee',
      value: dexName(pool.dex),
      detail: `${formatPercent(pool.fee_tier_bps / 100)} fee`,
      explanation: 'Where the token is swapped, and the small fee each swap pays to the pool.',
      estimate,
    },
  ];
}

/** The token's key numbers, each with one line that says what it means. */
export function TokenStats({ token }: { token: TokenDetail }) {
  return (
    <dl className="token-stats">
      {statsOf(token).map((stat) => (
        <div key={stat.label} className="token-stats__item">
          <dt className="token-stats__label">
            {stat.label}
            {stat.estimate && <Badge>Estimate</Badge>}
          </dt>
          <dd className="token-stats__value">
            {stat.value}
            {stat.detail && <span className="token-stats__detail"> {stat.detail}</span>}
          </dd>
          <dd className="token-stats__explanation">{stat.explanation}</dd>
        </div>
      ))}
    </dl>
  );
}
