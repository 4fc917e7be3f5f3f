import { describe, expect, it } from 'vitest';

import {
  formatReadingGrade,
  formatTime,
  formatWait,
  formatCompactUsd,
  direction,
  formatCount,
  formatDate,
  formatPercent,
  formatPrice,
  formatRelativeTime,
  formatSignedUsd,
  formatTokenAmount,
  formatUnitAmount,
  formatUsd,
  MISSING_VALUE,
} from './format';

const LOCALE = 'en-US';

describe('formatUsd', () => {
  it('always shows cents', () => {
    expect(formatUsd(100, LOCALE)).toBe('$100.00');
    expect(formatUsd(1234.5, LOCALE)).toBe('$1,234.50');
  });

  it('accepts decimal strings from the API', () => {
    expect(formatUsd('99.999', LOCALE)).toBe('$100.00');
  });

  it.each([null, undefined, '', 'abc', Number.NaN, Number.POSITIVE_INFINITY])('shows a dash for %s', (value) => {
    expect(formatUsd(value, LOCALE)).toBe(MISSING_VALUE);
  });
});

describe('formatPrice', () => {
  it('keeps four significant digits for tiny prices', () => {
    expect(formatPrice('0.000012345678', LOCALE)).toBe('$0.00001235');
    expect(formatPrice(0.5, LOCALE)).toBe('$0.50');
  });

  it('uses cents for prices of a dollar and more', () => {
    expect(formatPrice(3150.456, LOCALE)).toBe('$3,150.46');
  });

  it('shows zero as money', () => {
    expect(formatPrice(0, LOCALE)).toBe('$0.00');
  });
});

describe('formatCompactUsd', () => {
  it('shortens large amounts', () => {
    expect(formatCompactUsd(1_234_567, LOCALE)).toBe('$1.2M');
    expect(formatCompactUsd('950', LOCALE)).toBe('$950');
  });
});

describe('formatPercent', () => {
  it('reads percent units', () => {
    expect(formatPercent(12.5, { locale: LOCALE })).toBe('12.50%');
  });

  it('signs gains and losses when asked', () => {
    expect(formatPercent(3.2, { signed: true, locale: LOCALE })).toBe('+3.20%');
    expect(formatPercent(-3.2, { signed: true, locale: LOCALE })).toBe('-3.20%');
  });

  it('never shows a signed zero', () => {
    expect(formatPercent(-0.001, { locale: LOCALE })).toBe('0.00%');
    expect(formatPercent(0.001, { signed: true, locale: LOCALE })).toBe('0.00%');
  });

  it('shows a dash for missing values', () => {
    expect(formatPercent(null)).toBe(MISSING_VALUE);
  });
});

describe('formatDate', () => {
  it('formats an ISO timestamp as a calendar date', () => {
    expect(formatDate('2026-11-26T14:23:00Z', LOCALE)).toBe('Nov 26, 2026');
  });

  it.each([null, undefined, '', 'not a date'])('shows a dash for %s', (value) => {
    expect(formatDate(value, LOCALE)).toBe(MISSING_VALUE);
  });
});

describe('formatRelativeTime', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');

  it('counts seconds, minutes, hours and days', () => {
    expect(formatRelativeTime('2026-11-26T12:00:00Z', now)).toBe('just now');
    expect(formatRelativeTime('2026-11-26T11:59:48Z', now)).toBe('12 s ago');
    expect(formatRelativeTime('2026-11-26T11:57:00Z', now)).toBe('3 min ago');
    expect(formatRelativeTime('2026-11-26T10:00:00Z', now)).toBe('2 h ago');
    expect(formatRelativeTime('2026-11-22T12:00:00Z', now)).toBe('4 d ago');
  });

  it('reads a slightly future time (clock skew) as just now, and missing input as a dash', () => {
    expect(formatRelativeTime('2026-11-26T12:00:05Z', now)).toBe('just now');
    expect(formatRelativeTime(null, now)).toBe(MISSING_VALUE);
    expect(formatRelativeTime('yesterday', now)).toBe(MISSING_VALUE);
  });
});

describe('formatCount', () => {
  it('groups thousands and drops fractions', () => {
    expect(formatCount(179144, 'en-US')).toBe('179,144');
    expect(formatCount(null)).toBe(MISSING_VALUE);
  });
});

describe('formatSignedUsd', () => {
  it('signs gains and losses and leaves zero unsigned', () => {
    expect(formatSignedUsd('1.25', LOCALE)).toBe('+$1.25');
    expect(formatSignedUsd('-0.4', LOCALE)).toBe('-$0.40');
    expect(formatSignedUsd('0.004', LOCALE)).toBe('$0.00');
    expect(formatSignedUsd('-0.004', LOCALE)).toBe('$0.00');
    expect(formatSignedUsd(null, LOCALE)).toBe(MISSING_VALUE);
  });
});

describe('formatTokenAmount', () => {
  it('keeps small amounts readable and large ones short', () => {
    expect(formatTokenAmount('0.000004123456', LOCALE)).toBe('0.000004123');
    expect(formatTokenAmount('0.0034120000', LOCALE)).toBe('0.003412');
    expect(formatTokenAmount('12.500000000000000000', LOCALE)).toBe('12.5');
    expect(formatTokenAmount('1234567.891', LOCALE)).toBe('1,234,567.89');
    expect(formatTokenAmount('0', LOCALE)).toBe('0');
    expect(formatTokenAmount('abc', LOCALE)).toBe(MISSING_VALUE);
  });
});

describe('direction', () => {
  it('reads the sign after rounding', () => {
    expect(direction('1.2')).toBe('up');
    expect(direction('-0.01')).toBe('down');
    expect(direction('-0.004')).toBe('flat');
    expect(direction(null)).toBe('flat');
  });
});

describe('formatUnitAmount', () => {
  it('shows USD as money and tokens with their symbol', () => {
    expect(formatUnitAmount('10', 'USD', LOCALE)).toBe('$10.00');
    expect(formatUnitAmount('0.00341', 'WETH', LOCALE)).toBe('0.00341 WETH');
  });
});

describe('formatReadingGrade', () => {
  it('keeps one decimal and never goes below zero', () => {
    expect(formatReadingGrade(3.24, LOCALE)).toBe('3.2');
    expect(formatReadingGrade(4, LOCALE)).toBe('4.0');
    expect(formatReadingGrade(-1.5, LOCALE)).toBe('0.0');
    expect(formatReadingGrade(null, LOCALE)).toBe(MISSING_VALUE);
  });
});

describe('formatWait', () => {
  it('rounds up to whole seconds, minutes or hours', () => {
    expect(formatWait(0.2)).toBe('1 second');
    expect(formatWait(12.1)).toBe('13 seconds');
    expect(formatWait(60)).toBe('1 minute');
    expect(formatWait(150)).toBe('3 minutes');
    expect(formatWait(3600)).toBe('1 hour');
  });
});

describe('formatTime', () => {
  it('shows the time of day, or a dash for bad input', () => {
    expect(formatTime('2026-11-26T14:05:00Z', LOCALE)).toMatch(/\d{1,2}:\d{2}/);
    expect(formatTime('nope', LOCALE)).toBe(MISSING_VALUE);
  });
});
