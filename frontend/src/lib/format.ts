/**
 * Every number a person sees (prices, money, percentages, dates) is formatted here, so the same
 * value always looks the same on every screen.
 *
 * Inputs accept strings because the API sends decimals as strings (money is Decimal server-side);
 * converting to a float is fine for display, never for arithmetic.
 */

export type NumericInput = number | string | null | undefined;

/** Shown for missing or unparseable values instead of "NaN" or "$0.00". */
export const MISSING_VALUE = '—';

const formatters = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string | undefined, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  // Intl.NumberFormat construction is slow; price lists format hundreds of values per tick.
  const key = `${locale ?? ''}|${JSON.stringify(options)}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, options);
    formatters.set(key, formatter);
  }
  return formatter;
}

function toNumber(value: NumericInput): number | null {
  if (value === null || value === undefined || value === '') return null;
  const parsed = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

/** An amount of money in US dollars, always with cents: "$1,234.50". */
export function formatUsd(value: NumericInput, locale?: string): string {
  const amount = toNumber(value);
  if (amount === null) return MISSING_VALUE;
  return numberFormat(locale, {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(amount);
}

/**
 * A token price in US dollars. Many Base tokens cost a tiny fraction of a cent, so below $1 the
 * price keeps four significant digits ("$0.00001234") instead of rounding to "$0.00".
 */
export function formatPrice(value: NumericInput, locale?: string): string {
  const price = toNumber(value);
  if (price === null) return MISSING_VALUE;
  if (price !== 0 && Math.abs(price) < 1) {
    return numberFormat(locale, {
      style: 'currency',
      currency: 'USD',
      minimumSignificantDigits: 2,
      maximumSignificantDigits: 4,
    }).format(price);
  }
  return formatUsd(price, locale);
}

/** Large dollar amounts (volume, liquidity, market cap) in short form: "$1.2M". */
export function formatCompactUsd(value: NumericInput, locale?: string): string {
  const amount = toNumber(value);
  if (amount === null) return MISSING_VALUE;
  return numberFormat(locale, {
    style: 'currency',
    currency: 'USD',
    notation: 'compact',
    minimumFractionDigits: 0,
    maximumFractionDigits: 1,
  }).format(amount);
}

/**
 * A percentage given in percent units (12.5 means 12.5 %), as market APIs report changes.
 * With `signed`, gains get a "+" so a change reads the same without colour; a change that rounds
 * to zero gets no sign.
 */
export function formatPercent(
  value: NumericInput,
  { signed = false, locale }: { signed?: boolean; locale?: string } = {},
): string {
  const percent = toNumber(value);
  if (percent === null) return MISSING_VALUE;
  // Round first so -0.001 shows as "0.00%", not "-0.00%" (`|| 0` turns -0 into 0).
  const rounded = Math.round(percent * 100) / 100 || 0;
  return numberFormat(locale, {
    style: 'percent',
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
    signDisplay: signed ? 'exceptZero' : 'auto',
  }).format(rounded / 100);
}

/** A calendar date from an ISO timestamp: "Nov 26, 2026". */
export function formatDate(iso: string | null | undefined, locale?: string): string {
  if (!iso) return MISSING_VALUE;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return MISSING_VALUE;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(date);
}

/**
 * How long ago `iso` was, short and ticking: "just now", "12 s ago", "3 min ago", "2 h ago",
 * "4 d ago". Times slightly in the future (clock skew between server and phone) read "just now".
 */
export function formatRelativeTime(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return MISSING_VALUE;
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return MISSING_VALUE;
  const seconds = Math.floor((now - then) / 1000);
  if (seconds < 2) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** A whole count (transactions, holders): "12,345". */
export function formatCount(value: NumericInput, locale?: string): string {
  const count = toNumber(value);
  if (count === null) return MISSING_VALUE;
  return numberFormat(locale, { maximumFractionDigits: 0 }).format(count);
}

/**
 * A change in money with its sign, so a gain and a loss read differently without colour:
 * "+$1.25", "-$0.40"; an amount that rounds to zero cents shows as "$0.00" with no sign.
 */
export function formatSignedUsd(value: NumericInput, locale?: string): string {
  const amount = toNumber(value);
  if (amount === null) return MISSING_VALUE;
  const cents = Math.round(amount * 100) / 100 || 0;
  return numberFormat(locale, {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
    signDisplay: 'exceptZero',
  }).format(cents);
}

/**
 * An amount of a token. Token amounts span from 0.000004 WETH to millions of meme coins, so below 1
 * it keeps four significant digits, up to 1,000 four decimals, above that two: "0.003412",
 * "12.5", "1,234,567.89". Trailing zeros are dropped.
 */
export function formatTokenAmount(value: NumericInput, locale?: string): string {
  const amount = toNumber(value);
  if (amount === null) return MISSING_VALUE;
  const size = Math.abs(amount);
  if (size !== 0 && size < 1) {
    return numberFormat(locale, { maximumSignificantDigits: 4 }).format(amount);
  }
  return numberFormat(locale, { maximumFractionDigits: size >= 1000 ? 2 : 4 }).format(amount);
}

/** Which way a signed number points once rounded to `decimals` places: for arrows and colours. */
export function direction(value: NumericInput, decimals = 2): 'up' | 'down' | 'flat' {
  const number = toNumber(value);
  if (number === null) return 'flat';
  const scale = 10 ** decimals;
  const rounded = Math.round(number * scale) / scale;
  return rounded > 0 ? 'up' : rounded < 0 ? 'down' : 'flat';
}

/** An amount with its unit as the API sends it: "USD" as money, anything else as a token amount. */
export function formatUnitAmount(amount: NumericInput, unit: string, locale?: string): string {
  return unit === 'USD' ? formatUsd(amount, locale) : `${formatTokenAmount(amount, locale)} ${unit}`;
}

/** A reading grade (US school grade, Flesch–Kincaid) with one decimal: "3.2". */
export function formatReadingGrade(grade: NumericInput, locale?: string): string {
  const value = toNumber(grade);
  if (value === null) return MISSING_VALUE;
  return numberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(Math.max(0, value));
}

/** A wait in plain words, rounded up: "12 seconds", "1 minute", "3 minutes", "2 hours". */
export function formatWait(seconds: number): string {
  const whole = Math.max(1, Math.ceil(seconds));
  const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;
  if (whole < 60) return plural(whole, 'second');
  if (whole < 3600) return plural(Math.ceil(whole / 60), 'minute');
  return plural(Math.ceil(whole / 3600), 'hour');
}

/** A time of day from an ISO timestamp: "14:05" (or "2:05 PM", as the locale writes it). */
export function formatTime(iso: string | null | undefined, locale?: string): string {
  if (!iso) return MISSING_VALUE;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return MISSING_VALUE;
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }).format(date);
}
