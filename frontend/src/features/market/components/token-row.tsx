import { memo } from 'react';
import { Link } from 'react-router';

import { type TokenSummary } from '@/lib/api';

import { LivePrice } from './live-price';
import { PriceChange } from './price-change';
import { RiskBadges } from './risk-badges';
import { TokenAvatar } from './token-avatar';

/** One token in the market list; the whole row opens the token page. */
export const TokenRow = memo(function TokenRow({ token }: { token: TokenSummary }) {
  return (
    <li className="token-row" data-testid="token-row" data-address={token.address}>
      <Link to={`/market/${token.address}`} className="token-row__link">
        <TokenAvatar symbol={token.symbol} />
        <span className="token-row__names">
          <span className="token-row__symbol">{token.symbol}</span>
          <span className="token-row__name">{token.name}</span>
          <RiskBadges flags={token.risk_flags} />
        </span>
        <span className="token-row__numbers">
          <LivePrice value={token.price_usd} className="token-row__price" />
          <PriceChange value={token.change_24h_pct} />
        </span>
      </Link>
    </li>
  );
});
