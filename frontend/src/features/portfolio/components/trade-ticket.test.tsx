import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '@/lib/api';
import { renderWithProviders } from '@/test/render';

import { TradeTicket } from './trade-ticket';

vi.mock('@/lib/api', async (importOriginal) => ({
  ...(await importOriginal<typeof api>()),
  fetchToken: vi.fn(),
  fetchQuote: vi.fn(),
  placeOrder: vi.fn(),
}));

const WETH = '0x4200000000000000000000000000000000000006';
const T0 = '2026-11-26T12:00:00Z';

const portfolio: api.Portfolio = {
  run: 1,
  started_at: T0,
  starting_cash_usd: '100.00',
  cash_usd: '100.00',
  holdings: [],
  holdings_value_usd: '0',
  cost_basis_usd: '0',
  total_value_usd: '100.00',
  total_return_pct: '0',
  unrealized_pnl_usd: '0',
  realized_pnl_usd: '0',
  max_drawdown_pct: '0',
  as_of: T0,
};

const quote = {
  side: 'buy',
  token: WETH,
  symbol: 'WETH',
  decimals: 18,
  you_pay: { amount: '10', unit: 'USD' },
  you_get: { amount: '0.0032', unit: 'WETH' },
  minimum_received: { amount: '0.0031', unit: 'WETH' },
  price_usd: '3100',
  fill_price: '3125',
  pool_fee_usd: '0.03',
  pool_fee_bps: 30,
  price_impact_pct: '0.01',
  price_impact_usd: '0.001',
  gas_usd: '0.01',
  slippage_bps: 50,
  explanations: { gas: 'The Base network asks a tiny fee to run each trade. It is called gas.' },
  warnings: [{ code: 'high_price_impact', level: 'warning', title: 'Big price move', explanation: 'You get less.' }],
  price_source: 'simulated',
  as_of: T0,
} satisfies api.Quote;

const trade = {
  id: '00000000-0000-4000-8000-000000000001',
  side: 'buy',
  token: WETH,
  symbol: 'WETH',
  amount_in: { amount: '10', unit: 'USD' },
  amount_out: { amount: '0.0032', unit: 'WETH' },
  token_amount: '0.0032',
  usd_amount: '10',
  price_usd: '3100',
  fill_price: '3125',
  pool_fee_usd: '0.03',
  price_impact_pct: '0.01',
  gas_usd: '0.01',
  cost_basis_usd: '10',
  realized_pnl_usd: null,
  price_source: 'simulated',
  price_as_of: T0,
  created_at: T0,
} satisfies api.Trade;

beforeEach(() => {
  vi.clearAllMocks();
  vi.mocked(api.fetchToken).mockResolvedValue({ symbol: 'WETH', decimals: 18 } as api.TokenDetail);
  vi.mocked(api.fetchQuote).mockResolvedValue(quote);
});

async function reviewBuy() {
  const user = userEvent.setup();
  renderWithProviders(<TradeTicket address={WETH} portfolio={portfolio} initialSide="buy" onClose={vi.fn()} />);
  await user.type(await screen.findByLabelText(/How much play money to spend/), '10');
  const review = await screen.findByRole('button', { name: 'Review buy' });
  await waitFor(() => {
    expect(review).toBeEnabled();
  });
  expect(screen.getByText(/Big price move/)).toBeInTheDocument();
  expect(screen.getByText(/It is called gas/)).toBeInTheDocument();
  await user.click(review);
  return user;
}

describe('TradeTicket', () => {
  it('retries a confirmation that got no answer with the same Idempotency-Key', async () => {
    vi.mocked(api.placeOrder)
      .mockRejectedValueOnce(new api.ApiError(0, 'NetworkError', 'unreachable'))
      .mockResolvedValueOnce({ trade, replayed: true });
    const user = await reviewBuy();
    await user.click(screen.getByRole('button', { name: 'Confirm buy' }));
    await user.click(await screen.findByRole('button', { name: 'Try again' }));
    await screen.findByText('Done! You bought WETH.');

    const calls = vi.mocked(api.placeOrder).mock.calls;
    expect(calls).toHaveLength(2);
    expect(calls[0]?.[1]).toBe(calls[1]?.[1]);
    expect(calls[0]?.[0]).toEqual({
      side: 'buy',
      token: WETH,
      usd_amount: '10',
      type: 'market',
      min_amount_out: '0.0031',
    });
  });

  it('says prices are updating when the price is stale', async () => {
    vi.mocked(api.placeOrder).mockRejectedValue(new api.ApiError(409, 'StalePrice', 'no fresh price'));
    const user = await reviewBuy();
    await user.click(screen.getByRole('button', { name: 'Confirm buy' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Prices are updating, try again in a moment.');
  });

  it('places a limit order with its trigger price, explained before and confirmed in plain words', async () => {
    const order = {
      id: '00000000-0000-4000-8000-000000000002',
      type: 'limit',
      side: 'buy',
      token: WETH.toLowerCase(),
      symbol: 'WETH',
      trigger_price: '1900',
      usd_amount: '10',
      token_amount: null,
      percent: null,
      status: 'open',
      description: 'Buy $10.00 of WETH when the price is $1,900.00 or lower.',
      failure_reason: null,
      trade: null,
      expires_at: T0,
      created_at: T0,
      closed_at: null,
    } satisfies api.WaitingOrder;
    vi.mocked(api.placeOrder).mockResolvedValue({ trade: null, order, replayed: false });
    const user = userEvent.setup();
    renderWithProviders(<TradeTicket address={WETH} portfolio={portfolio} initialSide="buy" onClose={vi.fn()} />);
    await user.click(await screen.findByRole('button', { name: 'Limit' }));
    expect(screen.getByTestId('trigger-explanation')).toHaveTextContent('Your buy waits until 1 WETH costs this price');
    await user.type(screen.getByLabelText(/How much play money to spend/), '10');
    await user.type(screen.getByLabelText(/Trigger price/), '1900');
    const review = screen.getByRole('button', { name: 'Review order' });
    await waitFor(() => {
      expect(review).toBeEnabled();
    });
    await user.click(review);
    expect(screen.getByTestId('waiting-sentence')).toHaveTextContent(
      'Buy $10.00 of WETH when the price is $1900 or lower.',
    );
    await user.click(screen.getByRole('button', { name: 'Place order' }));
    await screen.findByText('Your order is waiting.');
    expect(vi.mocked(api.placeOrder).mock.calls[0]?.[0]).toEqual({
      side: 'buy',
      token: WETH,
      usd_amount: '10',
      type: 'limit',
      trigger_price: '1900',
    });
    expect(api.fetchQuote).not.toHaveBeenCalled();
  });
});
