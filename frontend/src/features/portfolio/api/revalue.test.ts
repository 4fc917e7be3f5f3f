import { describe, expect, it } from 'vitest';

import { type Holding, type Portfolio } from '@/lib/api';
import { parseLivePrices } from '@/lib/price-ticks';

import { mergeLivePrices, revalue } from './revalue';

const A = '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const T0 = '2026-11-26T12:00:00Z';
const T1 = '2026-11-26T12:00:01Z';

const holding: Holding = {
  token: A,
  symbol: 'AAA',
  decimals: 18,
  amount: '2',
  cost_basis_usd: '10',
  average_cost_usd: '5',
  price_usd: '5',
  value_usd: '10',
  unrealized_pnl_usd: '0',
  unrealized_pnl_pct: '0',
  share_pct: '10',
  price_as_of: T0,
  stale: false,
};

const portfolio: Portfolio = {
  run: 1,
  started_at: T0,
  starting_cash_usd: '100.00',
  cash_usd: '90',
  holdings: [holding],
  holdings_value_usd: '10',
  cost_basis_usd: '10',
  total_value_usd: '100',
  total_return_pct: '0',
  unrealized_pnl_usd: '0',
  realized_pnl_usd: '0',
  max_drawdown_pct: '0',
  as_of: T0,
};

describe('revalue', () => {
  it('values holdings at a newer live price and moves the totals', () => {
    const prices = mergeLivePrices(new Map(), [{ address: A.toUpperCase(), price_usd: '6', as_of: T1 }]);
    const live = revalue(portfolio, prices);
    expect(Number(live.holdings[0]?.value_usd)).toBe(12);
    expect(Number(live.holdings[0]?.unrealized_pnl_usd)).toBe(2);
    expect(Number(live.holdings[0]?.unrealized_pnl_pct)).toBe(20);
    expect(Number(live.total_value_usd)).toBe(102);
    expect(Number(live.total_return_pct)).toBe(2);
    expect(Number(live.holdings[0]?.share_pct)).toBeCloseTo(11.7647, 4);
  });

  it('keeps the server values when the live price is not newer', () => {
    const prices = mergeLivePrices(new Map(), [{ address: A, price_usd: '6', as_of: T0 }]);
    expect(revalue(portfolio, prices)).toBe(portfolio);
  });

  it('keeps the newest tick per token and ignores prices that are missing', () => {
    let prices = mergeLivePrices(new Map(), [{ address: A, price_usd: '6', as_of: T1 }]);
    const same = mergeLivePrices(prices, [
      { address: A, price_usd: '4', as_of: T0 },
      { address: A, price_usd: null, as_of: '2026-11-26T12:00:05Z' },
    ]);
    expect(same).toBe(prices);
    prices = mergeLivePrices(prices, [{ address: A, price_usd: '7', as_of: '2026-11-26T12:00:02Z' }]);
    expect(prices.get(A)?.price_usd).toBe('7');
  });
});

describe('parseLivePrices', () => {
  it('keeps well-formed ticks only', () => {
    expect(parseLivePrices({ ticks: [{ address: A, price_usd: '1', as_of: T0 }, { address: 1 }, null] })).toHaveLength(
      1,
    );
    expect(parseLivePrices('nope')).toEqual([]);
  });
});
