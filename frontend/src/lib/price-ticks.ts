/**
 * The `prices` WebSocket channel's frame, `{ticks: [{address, price_usd, as_of, ...}]}`, as any
 * screen that shows values at live prices reads it.
 */
export const PRICES_CHANNEL = 'prices';

export interface LivePrice {
  /** Lower-case token address. */
  address: string;
  price_usd: string | null;
  as_of: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isLivePrice(value: unknown): value is LivePrice {
  return (
    isRecord(value) &&
    typeof value.address === 'string' &&
    typeof value.as_of === 'string' &&
    (value.price_usd === null || typeof value.price_usd === 'string')
  );
}

/** The well-formed ticks of a `prices` frame; anything else is dropped. */
export function parseLivePrices(data: unknown): LivePrice[] {
  if (!isRecord(data) || !Array.isArray(data.ticks)) return [];
  return data.ticks.filter(isLivePrice);
}
