import { type InfiniteData } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';

import { type TokenPage, type TokenSummary } from '@/lib/api';

import { mergeLiveCandle, mergeTicksIntoPages, parsePricesFrame, parseTokenFrame, type PriceTick } from './ticks';

const T0 = '2026-11-26T12:00:00Z';
const T1 = '2026-11-26T12:00:01Z';

function token(address: string, price: string): TokenSummary {
  return {
    address,
    symbol: address.slice(2, 6),
    name: 'Token',
    logo_url: null,
    decimals: 18,
    volatility_class: 'mid_cap',
    price_usd: price,
    change_1h_pct: '0.10',
    change_24h_pct: '1.00',
    volume_24h_usd: '1000',
    liquidity_usd: '5000',
    fdv_usd: null,
    market_cap_usd: null,
    transactions_24h: 10,
    main_pool: { address: null, dex: 'uniswap-v3', fee_tier_bps: 30 },
    pool_created_at: '2024-01-01',
    pool_age_days: 700,
    risk_flags: [],
    source: 'simulated',
    as_of: T0,
    stale: false,
  };
}

const A = '0xAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAa';
const B = '0xBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBb';
const C = '0xCcCcCcCcCcCcCcCcCcCcCcCcCcCcCcCcCcCcCcCc';

function pages(): InfiniteData<TokenPage, string | null> {
  return {
    pageParams: [null, 'next'],
    pages: [
      {
        items: [token(A, '1.00'), token(B, '2.00')],
        next_cursor: 'next',
        source: 'simulated',
        as_of: T0,
        stale: false,
      },
      { items: [token(C, '3.00')], next_cursor: null, source: 'simulated', as_of: T0, stale: false },
    ],
  };
}

function tick(address: string, price: string, asOf = T1): PriceTick {
  return { address: address.toLowerCase(), price_usd: price, change_24h_pct: '2.00', as_of: asOf, stale: false };
}

describe('mergeTicksIntoPages', () => {
  it('updates the price of the ticked token, matching addresses case-insensitively', () => {
    const data = pages();
    const merged = mergeTicksIntoPages(data, [tick(B, '2.50')]);
    expect(merged?.pages[0]?.items[1]?.price_usd).toBe('2.50');
    expect(merged?.pages[0]?.items[1]?.change_24h_pct).toBe('2.00');
    expect(merged?.pages[0]?.items[1]?.as_of).toBe(T1);
  });

  it('keeps untouched rows and pages identical so they do not re-render', () => {
    const data = pages();
    const merged = mergeTicksIntoPages(data, [tick(B, '2.50')]);
    expect(merged?.pages[0]?.items[0]).toBe(data.pages[0]?.items[0]);
    expect(merged?.pages[1]?.items).toBe(data.pages[1]?.items);
  });

  it('moves the freshness time of every page forward', () => {
    const merged = mergeTicksIntoPages(pages(), [tick(C, '3.10')]);
    expect(merged?.pages.map((page) => page.as_of)).toEqual([T1, T1]);
  });

  it('returns the same object when nothing changes', () => {
    const data = pages();
    expect(mergeTicksIntoPages(data, [])).toBe(data);
    const once = mergeTicksIntoPages(data, [tick(A, '1.10')]);
    expect(mergeTicksIntoPages(once, [tick(A, '1.10')])).toBe(once);
  });

  it('ignores a tick older than what the row shows', () => {
    const data = pages();
    const old = tick(A, '0.50', '2026-11-26T11:59:00Z');
    expect(mergeTicksIntoPages(data, [old])?.pages[0]?.items[0]?.price_usd).toBe('1.00');
  });

  it('ignores ticks for tokens not in the list, and an empty cache', () => {
    const data = pages();
    const merged = mergeTicksIntoPages(data, [tick('0xDdDdDdDdDdDdDdDdDdDdDdDdDdDdDdDdDdDdDdDd', '9')]);
    expect(merged?.pages.flatMap((page) => page.items.map((item) => item.price_usd))).toEqual(['1.00', '2.00', '3.00']);
    expect(mergeTicksIntoPages(undefined, [tick(A, '1')])).toBeUndefined();
  });

  it('marks a row stale when its tick says so', () => {
    const merged = mergeTicksIntoPages(pages(), [{ ...tick(A, '1.00'), stale: true }]);
    expect(merged?.pages[0]?.items[0]?.stale).toBe(true);
  });
});

describe('frame parsing', () => {
  it('keeps well-formed ticks of a prices frame and drops the rest', () => {
    expect(parsePricesFrame({ ticks: [tick(A, '1'), { address: 1 }, null] })).toHaveLength(1);
    expect(parsePricesFrame({ nope: true })).toEqual([]);
    expect(parsePricesFrame('x')).toEqual([]);
  });

  it('reads the tick and candle of a token frame', () => {
    const candle = { tf: '1m', t: 60, o: '1', h: '2', l: '0.5', c: '1.5', v: '10' };
    expect(parseTokenFrame({ tick: tick(A, '1'), candle })).toEqual({ tick: tick(A, '1'), candle });
    expect(parseTokenFrame({ tick: null })).toEqual({ tick: null, candle: null });
  });
});

describe('mergeLiveCandle', () => {
  const bar = (t: number, o: string, h: string, l: string, c: string) => ({ t, o, h, l, c, v: '1' });

  it('replaces the forming 1-minute candle', () => {
    const merged = mergeLiveCandle(
      [bar(0, '1', '1', '1', '1'), bar(60, '1', '2', '1', '2')],
      bar(60, '1', '3', '0.5', '2.5'),
      60,
    );
    expect(merged.at(-1)).toEqual(bar(60, '1', '3', '0.5', '2.5'));
    expect(merged).toHaveLength(2);
  });

  it('starts a new candle when a new period begins', () => {
    const merged = mergeLiveCandle([bar(0, '1', '1', '1', '1')], bar(120, '2', '2', '2', '2'), 60);
    expect(merged.map((candle) => candle.t)).toEqual([0, 120]);
  });

  it('folds a minute into a longer candle: keeps the open, widens high and low, moves the close', () => {
    const hour = bar(3600, '10', '12', '9', '11');
    const merged = mergeLiveCandle([hour], bar(3600 + 600, '11', '13', '10', '12.5'), 3600);
    expect(merged).toEqual([{ t: 3600, o: '10', h: '13', l: '9', c: '12.5', v: '1' }]);
  });

  it('starts the next hour at the bucket start, not the minute', () => {
    const merged = mergeLiveCandle([bar(0, '1', '1', '1', '1')], bar(3660, '2', '3', '1.5', '2.5'), 3600);
    expect(merged.at(-1)?.t).toBe(3600);
  });

  it('ignores a candle older than the last one and returns the same array when nothing moves', () => {
    const candles = [bar(120, '1', '1', '1', '1')];
    expect(mergeLiveCandle(candles, bar(60, '5', '5', '5', '5'), 60)).toBe(candles);
    expect(mergeLiveCandle(candles, bar(120, '1', '1', '1', '1'), 60)).toBe(candles);
  });
});
