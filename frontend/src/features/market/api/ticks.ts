import { type InfiniteData } from '@tanstack/react-query';

import { type CandleRow, type TokenPage, type TokenSummary } from '@/lib/api';

/** One price update from the `prices` or `token:<address>` channel. */
export interface PriceTick {
  address: string;
  price_usd: string | null;
  change_1h_pct?: string | null;
  change_24h_pct?: string | null;
  volume_24h_usd?: string | null;
  liquidity_usd?: string | null;
  as_of: string;
  source?: TokenSummary['source'];
  stale?: boolean;
}

export interface LiveCandle extends CandleRow {
  tf: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isTick(value: unknown): value is PriceTick {
  return isRecord(value) && typeof value.address === 'string' && typeof value.as_of === 'string';
}

/** The ticks of a `prices` frame; malformed entries are dropped rather than breaking the list. */
export function parsePricesFrame(data: unknown): PriceTick[] {
  if (!isRecord(data) || !Array.isArray(data.ticks)) return [];
  return data.ticks.filter(isTick);
}

/** The tick and forming candle of a `token:<address>` frame. */
export function parseTokenFrame(data: unknown): { tick: PriceTick | null; candle: LiveCandle | null } {
  if (!isRecord(data)) return { tick: null, candle: null };
  const tick = isTick(data.tick) ? data.tick : null;
  const raw = data.candle;
  const candle =
    isRecord(raw) && typeof raw.t === 'number' && typeof raw.c === 'string' && typeof raw.tf === 'string'
      ? (raw as unknown as LiveCandle)
      : null;
  return { tick, candle };
}

const TICK_FIELDS = ['price_usd', 'change_1h_pct', 'change_24h_pct', 'volume_24h_usd', 'liquidity_usd'] as const;

/**
 * A token with a tick applied, or the same object when the tick is older or changes nothing
 * (so React skips re-rendering rows whose price did not move).
 */
export function applyTick<T extends TokenSummary>(token: T, tick: PriceTick): T {
  if (token.as_of !== null && Date.parse(tick.as_of) < Date.parse(token.as_of)) return token;
  const next: T = { ...token, as_of: tick.as_of };
  let changed = false;
  for (const field of TICK_FIELDS) {
    const value = tick[field];
    // A missing field means "not in this tick", not "unknown now".
    if (value !== undefined && value !== token[field]) {
      next[field] = value;
      changed = true;
    }
  }
  if (tick.stale !== undefined && tick.stale !== token.stale) {
    next.stale = tick.stale;
    changed = true;
  }
  if (tick.source && tick.source !== token.source) {
    next.source = tick.source;
    changed = true;
  }
  return changed ? next : token;
}

function latest(a: string | null, b: string): string {
  return a === null || Date.parse(b) > Date.parse(a) ? b : a;
}

/**
 * The cached list pages with a batch of ticks merged in. Returns the same object when nothing
 * changed, and keeps untouched pages and rows identical, so only moved prices re-render.
 */
export function mergeTicksIntoPages(
  data: InfiniteData<TokenPage, string | null> | undefined,
  ticks: readonly PriceTick[],
): InfiniteData<TokenPage, string | null> | undefined {
  if (!data || ticks.length === 0) return data;
  const byAddress = new Map(ticks.map((tick) => [tick.address.toLowerCase(), tick]));
  const newestTick = ticks.reduce((acc, tick) => latest(acc, tick.as_of), ticks[0]?.as_of ?? '');
  const pages = data.pages.map((page) => {
    const items = page.items.map((item) => {
      const tick = byAddress.get(item.address.toLowerCase());
      return tick ? applyTick(item, tick) : item;
    });
    const itemsChanged = items.some((item, index) => item !== page.items[index]);
    const asOf = latest(page.as_of, newestTick);
    if (!itemsChanged && asOf === page.as_of) return page;
    return { ...page, items: itemsChanged ? items : page.items, as_of: asOf };
  });
  return pages.some((page, index) => page !== data.pages[index]) ? { ...data, pages } : data;
}

export interface Bar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

export function candleToBar(candle: CandleRow): Bar {
  return {
    time: candle.t,
    open: Number(candle.o),
    high: Number(candle.h),
    low: Number(candle.l),
    close: Number(candle.c),
  };
}

/**
 * Folds a live 1-minute candle into the candles of a (possibly longer) timeframe: it updates the
 * forming bar, or starts the next one. Older updates are ignored. Returns the same array when
 * nothing changes.
 */
export function mergeLiveCandle(candles: readonly CandleRow[], live: CandleRow, timeframeSeconds: number): CandleRow[] {
  const bucket = Math.floor(live.t / timeframeSeconds) * timeframeSeconds;
  const last = candles.at(-1);
  if (!last || bucket > last.t) {
    return [...candles, { t: bucket, o: live.o, h: live.h, l: live.l, c: live.c, v: live.v }];
  }
  if (bucket < last.t) return candles as CandleRow[];
  const sameMinute = live.t === last.t;
  const merged: CandleRow = {
    t: last.t,
    o: last.o,
    h: sameMinute ? live.h : String(Math.max(Number(last.h), Number(live.h))),
    l: sameMinute ? live.l : String(Math.min(Number(last.l), Number(live.l))),
    c: live.c,
    // Volume of a longer bar cannot be rebuilt from one minute's running total; the refetch fixes it.
    v: sameMinute ? live.v : last.v,
  };
  if (merged.h === last.h && merged.l === last.l && merged.c === last.c && merged.v === last.v) {
    return candles as CandleRow[];
  }
  return [...candles.slice(0, -1), merged];
}
