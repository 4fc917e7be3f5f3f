import { describe, expect, it } from 'vitest';

import { type EquityPoint } from '@/lib/api';

import { isValueUpdate } from '../hooks/use-live-portfolio';
import { equityChange, equityLine } from './equity';
import {
  describeTradeError,
  orderKindsFor,
  parseTriggerPrice,
  triggerExplanation,
  waitingOrder,
  waitingOrderSentence,
} from './ticket';
import { ApiError } from '@/lib/api';

const WETH = '0x4200000000000000000000000000000000000006';

describe('orderKindsFor', () => {
  it('offers stop-loss and take-profit only for sells', () => {
    expect(orderKindsFor('buy').map((k) => k.value)).toEqual(['market', 'limit']);
    expect(orderKindsFor('sell').map((k) => k.value)).toEqual(['market', 'limit', 'stop_loss', 'take_profit']);
  });
});

describe('parseTriggerPrice', () => {
  it('reads dollars, tiny prices and commas exactly', () => {
    expect(parseTriggerPrice('$1,900', 'limit', 'WETH', '2000')).toEqual({ ok: true, value: '1900' });
    expect(parseTriggerPrice('0.00000029', 'limit', 'MOG', '0.0000003')).toEqual({ ok: true, value: '0.00000029' });
    expect(parseTriggerPrice('', 'limit', 'WETH')).toEqual({ ok: false, message: null });
  });

  it('refuses what is not a price', () => {
    expect(parseTriggerPrice('abc', 'limit', 'WETH').ok).toBe(false);
    expect(parseTriggerPrice('0', 'limit', 'WETH')).toMatchObject({ ok: false, message: /bigger than zero/ });
    expect(parseTriggerPrice(`0.${'1'.repeat(19)}`, 'limit', 'WETH')).toMatchObject({ message: /18 digits/ });
  });

  it('keeps a stop-loss below the price now and a take-profit above it', () => {
    expect(parseTriggerPrice('2000', 'stop_loss', 'WETH', '2000.00')).toMatchObject({
      ok: false,
      message: 'A stop-loss must be below the price now (WETH is $2000). Pick a lower price.',
    });
    expect(parseTriggerPrice('1999.99', 'stop_loss', 'WETH', '2000').ok).toBe(true);
    expect(parseTriggerPrice('1999', 'take_profit', 'WETH', '2000')).toMatchObject({ message: /higher price/ });
    expect(parseTriggerPrice('2000.01', 'take_profit', 'WETH', '2000').ok).toBe(true);
    // Without a known price, the server decides.
    expect(parseTriggerPrice('5000', 'stop_loss', 'WETH', null).ok).toBe(true);
  });
});

describe('waiting orders in plain words', () => {
  it('says what will happen and when', () => {
    const buy = waitingOrder({ side: 'buy', token: WETH, usd_amount: '10' }, 'limit', '1900');
    expect(buy).toEqual({ side: 'buy', token: WETH, usd_amount: '10', type: 'limit', trigger_price: '1900' });
    expect(waitingOrderSentence(buy, 'WETH')).toBe('Buy $10.00 of WETH when the price is $1900 or lower.');
    const stop = waitingOrder({ side: 'sell', token: WETH, percent: '100' }, 'stop_loss', '1800.50');
    expect(waitingOrderSentence(stop, 'WETH')).toBe('Sell 100% of your WETH if the price falls to $1800.5 or lower.');
    const take = waitingOrder({ side: 'sell', token: WETH, token_amount: '0.25' }, 'take_profit', '2500');
    expect(waitingOrderSentence(take, 'WETH')).toBe('Sell 0.25 WETH when the price rises to $2500 or higher.');
  });

  it('explains the trigger price for each kind', () => {
    expect(triggerExplanation('limit', 'buy', 'WETH')).toMatch(/costs this price or less/);
    expect(triggerExplanation('limit', 'sell', 'WETH')).toMatch(/worth this price or more/);
    expect(triggerExplanation('stop_loss', 'sell', 'WETH')).toMatch(/falls to this price or lower/);
    expect(triggerExplanation('take_profit', 'sell', 'WETH')).toMatch(/rises to this price or higher/);
  });

  it('passes on why a waiting order was refused', () => {
    const detail = 'A stop-loss sells if the price falls to your trigger.';
    expect(describeTradeError(new ApiError(422, 'InvalidTrigger', detail))).toEqual({
      message: detail,
      action: 'edit',
    });
    expect(describeTradeError(new ApiError(409, 'TooManyOpenOrders', 'Cancel one.')).action).toBe('edit');
  });
});

describe('equityLine', () => {
  const point = (t: string, value: string, kind: EquityPoint['kind'] = 'trade'): EquityPoint => ({
    t,
    total_value_usd: value,
    cash_usd: value,
    kind,
  });

  it('turns points into strictly increasing seconds, the last value of a second winning', () => {
    const line = equityLine([
      point('2026-11-26T12:00:00.100Z', '100', 'start'),
      point('2026-11-26T12:00:00.900Z', '99.5'),
      point('2026-11-26T13:00:00Z', '101.25', 'periodic'),
      point('2026-11-26T12:59:00Z', '50'), // out of order: dropped
      point('2026-11-26T13:30:00Z', 'oops'),
    ]);
    const start = Date.parse('2026-11-26T12:00:00Z') / 1000;
    expect(line).toEqual([
      { time: start, value: 99.5 },
      { time: start + 3600, value: 101.25 },
    ]);
    expect(equityChange(line)?.usd).toBeCloseTo(1.75);
    expect(equityChange(line)?.pct).toBeCloseTo((1.75 / 99.5) * 100);
    expect(equityChange([])).toBeNull();
  });
});

describe('isValueUpdate', () => {
  it('tells throttled value updates from fills and order events', () => {
    expect(isValueUpdate({ event: 'value', total_value_usd: '101' })).toBe(true);
    expect(isValueUpdate({ event: 'order_filled' })).toBe(false);
    expect(isValueUpdate(null)).toBe(false);
  });
});
