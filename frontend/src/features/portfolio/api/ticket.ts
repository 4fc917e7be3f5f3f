/**
 * The trade ticket's rules, kept out of the components so they can be tested on their own:
 * reading what a person typed, checking it before asking the server, building the request, the
 * idempotency key of one confirmation, and turning API errors into words that say what to do.
 */
import { ApiError, describeError, type OrderRequest, type Quote, type TradeRequest } from '@/lib/api';

export type TradeSide = 'buy' | 'sell';

/** The server refuses trades below this (settings: portfolio_min_trade_usd). */
export const MIN_TRADE_USD = 1;
/** The API takes at most 12 digits for a USD amount, 2 of them cents. */
const MAX_USD_INTEGER_DIGITS = 10;
export const SELL_PERCENTS = [25, 50, 100] as const;
export type SellPercent = (typeof SELL_PERCENTS)[number];

export type Parsed = { ok: true; value: string } | { ok: false; message: string } | { ok: false; message: null };

const EMPTY: Parsed = { ok: false, message: null };

/** "1,000.5", " $10 " → "1000.5"; null when it is not a plain positive decimal number. */
function normalizeDecimal(text: string): string | null {
  const cleaned = text.trim().replace(/^\$/, '').replace(/,/g, '').trim();
  if (!/^(\d+\.?\d*|\.\d+)$/.test(cleaned)) return null;
  const [whole = '', fraction = ''] = cleaned.split('.');
  const integer = whole.replace(/^0+(?=\d)/, '') || '0';
  return fraction ? `${integer}.${fraction}` : integer;
}

function fractionDigits(decimal: string): number {
  return decimal.split('.')[1]?.length ?? 0;
}

/**
 * A decimal string as an integer count of 10^-scale units, exactly (no floats): for comparing
 * amounts the way the server does. The value must have at most `scale` decimals.
 */
export function toUnits(decimal: string, scale: number): bigint {
  const [whole = '0', fraction = ''] = decimal.split('.');
  return BigInt(whole + fraction.padEnd(scale, '0').slice(0, scale));
}

/** Compares two non-negative decimal strings exactly: -1, 0 or 1. */
export function compareDecimals(a: string, b: string): -1 | 0 | 1 {
  const scale = Math.max(fractionDigits(a), fractionDigits(b));
  const left = toUnits(a, scale);
  const right = toUnits(b, scale);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** The USD amount of a buy. `cash` (a decimal string) adds the "not enough cash" check. */
export function parseUsdAmount(text: string, cash?: string): Parsed {
  if (text.trim() === '') return EMPTY;
  const value = normalizeDecimal(text);
  if (value === null) return { ok: false, message: 'Type an amount in dollars, like 10 or 2.50.' };
  if (fractionDigits(value) > 2)
    return { ok: false, message: 'Dollars have cents only: use at most 2 digits after the point.' };
  if ((value.split('.')[0] ?? '').length > MAX_USD_INTEGER_DIGITS) {
    return { ok: false, message: 'That is far more than your play money. Try a smaller amount.' };
  }
  if (compareDecimals(value, String(MIN_TRADE_USD)) < 0) {
    return { ok: false, message: `The smallest trade is $${MIN_TRADE_USD}. Try a bigger amount.` };
  }
  if (cash !== undefined && compareDecimals(value, cash) > 0) {
    return { ok: false, message: `You have ${usd(cash)} in cash. Try a smaller amount.` };
  }
  return { ok: true, value };
}

/** The token amount of a sell, at most the token's decimals and at most what is held. */
export function parseTokenAmount(text: string, symbol: string, decimals: number, held: string): Parsed {
  if (text.trim() === '') return EMPTY;
  const value = normalizeDecimal(text);
  if (value === null) return { ok: false, message: `Type how many ${symbol} to sell, like 0.5.` };
  if (fractionDigits(value) > decimals) {
    return {
      ok: false,
      message: `${symbol} has ${decimals} decimals: use at most ${decimals} digits after the point.`,
    };
  }
  if (compareDecimals(value, '0') === 0) return { ok: false, message: 'Type an amount bigger than zero.' };
  if (compareDecimals(value, held) > 0) {
    return { ok: false, message: `You have ${trimZeros(held)} ${symbol}. Sell less, or pick a percentage.` };
  }
  return { ok: true, value };
}

function trimZeros(decimal: string): string {
  return decimal.includes('.') ? decimal.replace(/0+$/, '').replace(/\.$/, '') : decimal;
}

function usd(decimal: string): string {
  const [whole = '0', fraction = ''] = decimal.split('.');
  return `$${whole}.${fraction.padEnd(2, '0').slice(0, 2)}`;
}

/** What the ticket holds: the side and either typed text or, for a sell, a percentage. */
export interface TicketInput {
  side: TradeSide;
  text: string;
  percent: SellPercent | null;
}

export interface TicketContext {
  token: string;
  symbol: string;
  decimals: number;
  cash: string;
  /** Amount of the token held; "0" when none. */
  held: string;
}

/** The quote request for what the ticket shows, or why there is none yet (message null: nothing typed). */
export function buildTradeRequest(
  input: TicketInput,
  context: TicketContext,
): { request: TradeRequest; message: null } | { request: null; message: string | null } {
  if (input.side === 'buy') {
    const parsed = parseUsdAmount(input.text, context.cash);
    return parsed.ok
      ? { request: { side: 'buy', token: context.token, usd_amount: parsed.value }, message: null }
      : { request: null, message: parsed.message };
  }
  if (compareDecimals(context.held, '0') === 0) {
    return { request: null, message: `You don't have any ${context.symbol} to sell yet. Buy some first.` };
  }
  if (input.percent !== null) {
    return { request: { side: 'sell', token: context.token, percent: String(input.percent) }, message: null };
  }
  const parsed = parseTokenAmount(input.text, context.symbol, context.decimals, context.held);
  return parsed.ok
    ? { request: { side: 'sell', token: context.token, token_amount: parsed.value }, message: null }
    : { request: null, message: parsed.message };
}

/** The order for a reviewed quote: refuse the fill if it would give less than the quote's minimum. */
export function orderFromQuote(request: TradeRequest, quote: Quote): OrderRequest {
  return { ...request, type: 'market', min_amount_out: quote.minimum_received.amount };
}

/**
 * One confirmation of one order. Its key goes with every try of that confirmation (a double tap,
 * a retry after a timeout), so the server can tell a retry from a new order and never trades twice.
 */
export interface OrderAttempt {
  order: OrderRequest;
  key: string;
}

export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/** The attempt to send: the current one when it is for the same order, otherwise a new key. */
export function attemptFor(
  current: OrderAttempt | null,
  order: OrderRequest,
  makeKey: () => string = newIdempotencyKey,
): OrderAttempt {
  if (current && sameOrder(current.order, order)) return current;
  return { order, key: makeKey() };
}

function sameOrder(a: OrderRequest, b: OrderRequest): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof OrderRequest)[]);
  return [...keys].every((key) => (a[key] ?? null) === (b[key] ?? null));
}

/** What the ticket can offer after a failure. */
export type ErrorAction = 'retry' | 'requote' | 'edit';

export interface TradeProblem {
  message: string;
  action: ErrorAction;
}

/**
 * Words for a failed quote or order, and the one thing to do next. `retry` keeps the same
 * idempotency key (the order may have gone through), `requote` starts a new confirmation.
 */
export function describeTradeError(error: unknown): TradeProblem {
  if (!(error instanceof ApiError)) return { message: describeError(error), action: 'retry' };
  switch (error.kind) {
    case 'StalePrice':
      return { message: 'Prices are updating, try again in a moment. Nothing was traded.', action: 'retry' };
    case 'PriceMoved':
      return {
        message: 'The price moved since your quote, so nothing was traded. Get a new quote and try again.',
        action: 'requote',
      };
    case 'InsufficientCash':
      return {
        message: withFallback(error.detail, "You don't have enough play cash for this. Try a smaller amount."),
        action: 'edit',
      };
    case 'InsufficientTokens':
      return {
        message: withFallback(error.detail, "You don't have that many tokens. Sell less, or pick a percentage."),
        action: 'edit',
      };
    case 'TradeTooSmall':
      return {
        message: `${withFallback(error.detail, `The smallest trade is $${MIN_TRADE_USD}.`)} Try a bigger amount.`,
        action: 'edit',
      };
    case 'NoLiquidity':
    case 'InvalidAmount':
      return { message: error.detail, action: 'edit' };
    case 'PortfolioChanged':
      return {
        message: withFallback(error.detail, 'Your portfolio just changed. Check it and try again.'),
        action: 'requote',
      };
    case 'IdempotencyKeyReused':
      return {
        message: 'Something got mixed up with this order, so nothing was traded. Review it and confirm again.',
        action: 'requote',
      };
    case 'InvalidTrigger':
    case 'TooManyOpenOrders':
      return { message: error.detail, action: 'edit' };
    case 'UnknownToken':
    case 'InvalidAddress':
      return { message: "We can't trade this token. Pick another one in Market.", action: 'edit' };
  }
  if (error.status === 422) return { message: 'Check the amount and try again.', action: 'edit' };
  return { message: describeError(error), action: error.isTransient ? 'retry' : 'edit' };
}

function withFallback(detail: string, fallback: string): string {
  return detail.trim() === '' ? fallback : detail;
}

/** Market fills now; the others wait for a trigger price (stop-loss and take-profit only sell). */
export type OrderKind = 'market' | 'limit' | 'stop_loss' | 'take_profit';

const KIND_LABELS: Record<OrderKind, string> = {
  market: 'Now',
  limit: 'Limit',
  stop_loss: 'Stop-loss',
  take_profit: 'Take-profit',
};

export function orderKindsFor(side: TradeSide): { value: OrderKind; label: string }[] {
  const kinds: OrderKind[] = side === 'buy' ? ['market', 'limit'] : ['market', 'limit', 'stop_loss', 'take_profit'];
  return kinds.map((value) => ({ value, label: KIND_LABELS[value] }));
}

/** What the trigger price means for this kind of order, in plain words. */
export function triggerExplanation(kind: Exclude<OrderKind, 'market'>, side: TradeSide, symbol: string): string {
  if (kind === 'stop_loss') {
    return `If 1 ${symbol} falls to this price or lower, we sell for you, so a fall cannot cost you much more.`;
  }
  if (kind === 'take_profit') {
    return `When 1 ${symbol} rises to this price or higher, we sell for you and keep the gain.`;
  }
  return side === 'buy'
    ? `Your buy waits until 1 ${symbol} costs this price or less. Then it buys.`
    : `Your sell waits until 1 ${symbol} is worth this price or more. Then it sells.`;
}

/**
 * The trigger price typed for a waiting order. A stop-loss must be below the price now and a
 * take-profit above it (otherwise it would fire at once); the server checks the same.
 */
export function parseTriggerPrice(
  text: string,
  kind: Exclude<OrderKind, 'market'>,
  symbol: string,
  currentPrice?: string | null,
): Parsed {
  if (text.trim() === '') return EMPTY;
  const value = normalizeDecimal(text);
  if (value === null) return { ok: false, message: 'Type a price in dollars, like 1900 or 0.0005.' };
  if (fractionDigits(value) > 18) return { ok: false, message: 'Use at most 18 digits after the point.' };
  if (compareDecimals(value, '0') === 0) return { ok: false, message: 'Type a price bigger than zero.' };
  if (currentPrice) {
    const now = normalizeDecimal(currentPrice);
    if (now !== null && kind === 'stop_loss' && compareDecimals(value, now) >= 0) {
      return {
        ok: false,
        message: `A stop-loss must be below the price now (${symbol} is $${trimZeros(now)}). Pick a lower price.`,
      };
    }
    if (now !== null && kind === 'take_profit' && compareDecimals(value, now) <= 0) {
      return {
        ok: false,
        message: `A take-profit must be above the price now (${symbol} is $${trimZeros(now)}). Pick a higher price.`,
      };
    }
  }
  return { ok: true, value };
}

/** The order for a waiting (limit, stop-loss, take-profit) order built from the ticket's amount. */
export function waitingOrder(request: TradeRequest, kind: Exclude<OrderKind, 'market'>, trigger: string): OrderRequest {
  return { ...request, type: kind, trigger_price: trigger };
}

/** "Sell 50% of your WETH if the price falls to $1,800 or lower." for the confirm step. */
export function waitingOrderSentence(order: OrderRequest, symbol: string): string {
  const price = `$${trimZeros(String(order.trigger_price ?? '0'))}`;
  if (order.side === 'buy') {
    return `Buy ${usd(String(order.usd_amount ?? '0'))} of ${symbol} when the price is ${price} or lower.`;
  }
  const what =
    order.percent != null
      ? `${trimZeros(String(order.percent))}% of your ${symbol}`
      : `${trimZeros(String(order.token_amount ?? '0'))} ${symbol}`;
  if (order.type === 'stop_loss') return `Sell ${what} if the price falls to ${price} or lower.`;
  if (order.type === 'take_profit') return `Sell ${what} when the price rises to ${price} or higher.`;
  return `Sell ${what} when the price is ${price} or higher.`;
}
