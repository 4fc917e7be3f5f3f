import { type Holding, type Portfolio } from '@/lib/api';
import { type LivePrice } from '@/lib/price-ticks';

/** The newest live price per lower-case token address. */
export type LivePrices = ReadonlyMap<string, LivePrice>;

/** Adds ticks to `prices`, keeping the newest per token; the same map when nothing is newer. */
export function mergeLivePrices(prices: LivePrices, ticks: readonly LivePrice[]): LivePrices {
  let next: Map<string, LivePrice> | null = null;
  for (const tick of ticks) {
    if (tick.price_usd === null) continue;
    const key = tick.address.toLowerCase();
    const known = (next ?? prices).get(key);
    if (known && Date.parse(known.as_of) >= Date.parse(tick.as_of)) continue;
    next ??= new Map(prices);
    next.set(key, tick);
  }
  return next ?? prices;
}

function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

/**
 * The portfolio valued at live prices newer than the server's, for display between refetches.
 * Floats are fine here: these numbers are only shown, the server's decimals stay the truth for
 * trading. Holdings without a newer price keep the server's values.
 */
export function revalue(portfolio: Portfolio, prices: LivePrices): Portfolio {
  const holdings = portfolio.holdings.map((holding): Holding => {
    const tick = prices.get(holding.token.toLowerCase());
    if (!tick?.price_usd) return holding;
    if (holding.price_as_of && Date.parse(tick.as_of) <= Date.parse(holding.price_as_of)) return holding;
    const value = Number(holding.amount) * Number(tick.price_usd);
    const basis = Number(holding.cost_basis_usd);
    const pnl = value - basis;
    return {
      ...holding,
      price_usd: tick.price_usd,
      price_as_of: tick.as_of,
      value_usd: fixed(value, 8),
      unrealized_pnl_usd: fixed(pnl, 8),
      unrealized_pnl_pct: basis > 0 ? fixed((pnl / basis) * 100, 4) : holding.unrealized_pnl_pct,
      stale: false,
    };
  });
  if (holdings.every((holding, index) => holding === portfolio.holdings[index])) return portfolio;
  const holdingsValue = holdings.reduce((sum, holding) => sum + Number(holding.value_usd ?? 0), 0);
  const total = Number(portfolio.cash_usd) + holdingsValue;
  const start = Number(portfolio.starting_cash_usd);
  const unrealized = holdings.reduce((sum, holding) => sum + Number(holding.unrealized_pnl_usd ?? 0), 0);
  return {
    ...portfolio,
    holdings: holdings.map((holding) => ({
      ...holding,
      share_pct:
        total > 0 && holding.value_usd !== null
          ? fixed((Number(holding.value_usd) / total) * 100, 4)
          : holding.share_pct,
    })),
    holdings_value_usd: fixed(holdingsValue, 8),
    total_value_usd: fixed(total, 8),
    total_return_pct: start > 0 ? fixed(((total - start) / start) * 100, 4) : portfolio.total_return_pct,
    unrealized_pnl_usd: fixed(unrealized, 8),
  };
}
