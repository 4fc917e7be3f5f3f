import { useState } from 'react';
import { useSearchParams } from 'react-router';

import { Badge } from '@/components/ui/badge';
import { ErrorState } from '@/components/ui/error-state';
import { Page } from '@/components/ui/page';
import { describeError } from '@/lib/api';

import { usePortfolio } from '../api/portfolio';
import { type TradeSide } from '../api/ticket';
import { useLivePortfolio, usePortfolioEvents } from '../hooks/use-live-portfolio';
import { EquityChart } from './equity-chart';
import { HoldingsList } from './holdings-list';
import { OpenOrders } from './open-orders';
import { PortfolioSummary } from './portfolio-summary';
import { ResetPortfolio } from './reset-portfolio';
import { TradeHistory } from './trade-history';
import { TradeTicket } from './trade-ticket';
import { TradingLeaderboard } from './trading-leaderboard';
import './portfolio.css';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** The ticket's token and side live in the URL: the token page links to `/portfolio?token=<address>`. */
function useTicketParams() {
  const [searchParams, setSearchParams] = useSearchParams();
  const raw = searchParams.get('token');
  const token = raw && ADDRESS.test(raw) ? raw : null;
  const side: TradeSide = searchParams.get('side') === 'sell' ? 'sell' : 'buy';
  const open = (address: string, nextSide: TradeSide) => {
    setSearchParams(nextSide === 'sell' ? { token: address, side: 'sell' } : { token: address });
  };
  const close = () => {
    setSearchParams({}, { replace: true });
  };
  return { token, side, open, close, invalid: raw !== null && token === null };
}

export function PortfolioPage() {
  const portfolio = usePortfolio();
  const live = useLivePortfolio(portfolio.data);
  usePortfolioEvents();
  const ticket = useTicketParams();
  const [announcement, setAnnouncement] = useState('');

  return (
    <Page
      title="Portfolio"
      intro="Practise trading with play money. No real money, no risk."
      aside={<Badge tone="info">Practice</Badge>}
    >
      <p className="visually-hidden" role="status">
        {announcement}
      </p>
      {portfolio.isError && !portfolio.data ? (
        <ErrorState
          title="We couldn't load your portfolio"
          message={describeError(portfolio.error)}
          actionLabel="Try again"
          onAction={() => void portfolio.refetch()}
        />
      ) : (
        <>
          <PortfolioSummary portfolio={live} />
          {ticket.invalid && (
            <p role="alert" className="pf-alert pf-alert--warning">
              That link does not point at a token. Pick one in Market to practise a trade.
            </p>
          )}
          {ticket.token && portfolio.data && (
            <TradeTicket
              key={`${ticket.token}-${ticket.side}`}
              address={ticket.token}
              portfolio={portfolio.data}
              initialSide={ticket.side}
              onClose={ticket.close}
            />
          )}
          <HoldingsList
            portfolio={live}
            onTrade={(token) => {
              ticket.open(token, 'sell');
            }}
          />
          <OpenOrders />
          <EquityChart />
          <TradeHistory />
          <TradingLeaderboard />
          {portfolio.data && (
            <ResetPortfolio
              onDone={() => {
                ticket.close();
                setAnnouncement('Your portfolio starts again with $100 of play money.');
              }}
            />
          )}
        </>
      )}
    </Page>
  );
}
