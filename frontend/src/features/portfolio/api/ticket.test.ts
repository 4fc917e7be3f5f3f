import { describe, expect, it } from 'vitest';

import { ApiError, type Quote } from '@/lib/api';

import {
  attemptFor,
  buildTradeRequest,
  compareDecimals,
  describeTradeError,
  orderFromQuote,
  parseTokenAmount,
  type Parsed,
  parseUsdAmount,
  type TicketContext,
} from './ticket';

/** A parse result that fails with a message matching `pattern`. */
const failsWith = (pattern: RegExp) => (parsed: Parsed) => !parsed.ok && pattern.test(parsed.message ?? '');

const WETH = '0x4200000000000000000000000000000000000006';
const context: TicketContext = { token: WETH, symbol: 'WETH', decimals: 18, cash: '100.00', held: '0.5' };

describe('parseUsdAmount', () => {
  it('accepts dollars with or without cents, a $ sign and thousands commas', () => {
    expect(parseUsdAmount('10')).toEqual({ ok: true, value: '10' });
    expect(parseUsdAmount(' $2.50 ')).toEqual({ ok: true, value: '2.50' });
    expect(parseUsdAmount('1,000.5')).toEqual({ ok: true, value: '1000.5' });
    expect(parseUsdAmount('007')).toEqual({ ok: true, value: '7' });
  });

  it('says nothing while the box is empty', () => {
    expect(parseUsdAmount('  ')).toEqual({ ok: false, message: null });
  });

  it('explains what is wrong with the rest', () => {
    expect(parseUsdAmount('ten')).toSatisfy(failsWith(/like 10/));
    expect(parseUsdAmount('-5')).toMatchObject({ ok: false });
    expect(parseUsdAmount('1.234')).toSatisfy(failsWith(/2 digits/));
    expect(parseUsdAmount('0.99')).toSatisfy(failsWith(/smallest trade is \$1/));
    expect(parseUsdAmount('12345678901')).toSatisfy(failsWith(/smaller/));
  });

  it('accepts exactly $1 and exactly all the cash, not a cent more', () => {
    expect(parseUsdAmount('1', '100.00')).toEqual({ ok: true, value: '1' });
    expect(parseUsdAmount('100', '100.00')).toEqual({ ok: true, value: '100' });
    expect(parseUsdAmount('100.01', '100.00')).toEqual({
      ok: false,
      message: 'You have $100.00 in cash. Try a smaller amount.',
    });
  });
});

describe('parseTokenAmount', () => {
  it('accepts up to the token decimals and up to the holding, exactly', () => {
    expect(parseTokenAmount('0.25', 'WETH', 18, '0.5')).toEqual({ ok: true, value: '0.25' });
    expect(parseTokenAmount('0.500000000000000000', 'WETH', 18, '0.5')).toMatchObject({ ok: true });
    expect(parseTokenAmount('0.500000000000000001', 'WETH', 18, '0.5')).toMatchObject({
      ok: false,
      message: 'You have 0.5 WETH. Sell less, or pick a percentage.',
    });
  });

  it('refuses more decimals than the token has, zero and text', () => {
    expect(parseTokenAmount('1.0000001', 'USDC', 6, '10')).toSatisfy(failsWith(/6 decimals/));
    expect(parseTokenAmount('0', 'USDC', 6, '10')).toSatisfy(failsWith(/bigger than zero/));
    expect(parseTokenAmount('abc', 'USDC', 6, '10')).toSatisfy(failsWith(/how many USDC/));
  });
});

describe('compareDecimals', () => {
  it('compares exactly, beyond float precision', () => {
    expect(compareDecimals('0.1', '0.10')).toBe(0);
    expect(compareDecimals('0.300000000000000001', '0.3')).toBe(1);
    expect(compareDecimals('9', '10')).toBe(-1);
  });
});

describe('buildTradeRequest', () => {
  it('buys by USD amount', () => {
    expect(buildTradeRequest({ side: 'buy', text: '10', percent: null }, context)).toEqual({
      request: { side: 'buy', token: WETH, usd_amount: '10' },
      message: null,
    });
  });

  it('sells by a percentage of the holding, whatever is typed', () => {
    expect(buildTradeRequest({ side: 'sell', text: 'junk', percent: 50 }, context)).toEqual({
      request: { side: 'sell', token: WETH, percent: '50' },
      message: null,
    });
  });

  it('sells by token amount', () => {
    expect(buildTradeRequest({ side: 'sell', text: '0.1', percent: null }, context).request).toEqual({
      side: 'sell',
      token: WETH,
      token_amount: '0.1',
    });
  });

  it('explains that there is nothing to sell', () => {
    const result = buildTradeRequest({ side: 'sell', text: '', percent: 100 }, { ...context, held: '0' });
    expect(result).toEqual({ request: null, message: "You don't have any WETH to sell yet. Buy some first." });
  });

  it('stays quiet while nothing is typed', () => {
    expect(buildTradeRequest({ side: 'buy', text: '', percent: null }, context)).toEqual({
      request: null,
      message: null,
    });
  });
});

describe('idempotency keys', () => {
  const quote = { minimum_received: { amount: '0.0033', unit: 'WETH' } } as Quote;
  const order = orderFromQuote({ side: 'buy', token: WETH, usd_amount: '10' }, quote);
  let counter = 0;
  const makeKey = () => `key-${++counter}`;

  it('sends the minimum received of the reviewed quote', () => {
    expect(order).toEqual({ side: 'buy', token: WETH, usd_amount: '10', type: 'market', min_amount_out: '0.0033' });
  });

  it('reuses the key for a retry or a double tap of the same confirmation', () => {
    const first = attemptFor(null, order, makeKey);
    const retry = attemptFor(first, { ...order }, makeKey);
    expect(retry).toBe(first);
    expect(retry.key).toBe(first.key);
  });

  it('takes a new key for a different order, or after the previous one settled', () => {
    const first = attemptFor(null, order, makeKey);
    const changed = attemptFor(first, { ...order, usd_amount: '11' }, makeKey);
    expect(changed.key).not.toBe(first.key);
    const afterSuccess = attemptFor(null, order, makeKey);
    expect(afterSuccess.key).not.toBe(first.key);
  });

  it('uses random UUIDs by default', () => {
    const a = attemptFor(null, order);
    const b = attemptFor(null, order);
    expect(a.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.key).not.toBe(b.key);
  });
});

describe('describeTradeError', () => {
  const api = (status: number, kind: string, detail = '') => new ApiError(status, kind, detail);

  it('asks to wait when the price is stale, and keeps the same order for the retry', () => {
    expect(describeTradeError(api(409, 'StalePrice', 'We do not have a fresh price'))).toEqual({
      message: 'Prices are updating, try again in a moment. Nothing was traded.',
      action: 'retry',
    });
  });

  it('passes on the API explanation of missing cash or tokens', () => {
    const cash = 'You have $5.00 in cash, but this trade needs $10.00. Try a smaller amount.';
    expect(describeTradeError(api(409, 'InsufficientCash', cash))).toEqual({ message: cash, action: 'edit' });
    expect(describeTradeError(api(409, 'InsufficientTokens', '')).message).toMatch(/Sell less/);
  });

  it('explains the $1 minimum and what to do', () => {
    expect(describeTradeError(api(422, 'TradeTooSmall', 'The smallest trade is $1.00.')).message).toBe(
      'The smallest trade is $1.00. Try a bigger amount.',
    );
  });

  it('asks for a new quote when the price moved or the portfolio changed', () => {
    expect(describeTradeError(api(409, 'PriceMoved', 'x')).action).toBe('requote');
    expect(describeTradeError(api(409, 'PortfolioChanged', 'Your portfolio was just reset.')).action).toBe('requote');
    expect(describeTradeError(api(409, 'IdempotencyKeyReused', 'x')).action).toBe('requote');
  });

  it('offers a retry with the same key when the answer never came', () => {
    expect(describeTradeError(api(0, 'NetworkError', 'unreachable'))).toEqual({
      message: "We can't reach EAILI5 right now. Check your connection and try again.",
      action: 'retry',
    });
    expect(describeTradeError(api(503, 'ServiceUnavailable')).action).toBe('retry');
    expect(describeTradeError(new Error('boom')).action).toBe('retry');
  });

  it('never shows raw validation messages', () => {
    expect(describeTradeError(api(422, 'ValidationError', 'Value error, a buy takes usd_amount only'))).toEqual({
      message: 'Check the amount and try again.',
      action: 'edit',
    });
  });
});
