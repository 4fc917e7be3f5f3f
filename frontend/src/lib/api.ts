/**
 * The API as features see it: typed functions over the generated SDK (src/client). Features never
 * import the generated code, so a regenerated client with renamed operations changes only this file and session.ts.
 */
import { listTokens, readCandles, readMarketStatus, readMe, readMeta, readToken } from '@/client/sdk.gen';
import type {
  Candle,
  CandleSeries,
  MarketStatus as MarketStatusSchema,
  Meta as MetaSchema,
  RiskFlagOut,
  SortOrder,
  Timeframe,
  TokenDetail as TokenDetailSchema,
  TokenList,
  TokenSummary as TokenSummarySchema,
  UserOut,
} from '@/client/types.gen';

import { send } from './api-client';
import { withSession } from './session';

export type User = UserOut;
export type Meta = MetaSchema;

export { ApiError, describeError } from './api-error';

/** The signed-in user (a guest until they sign in with a wallet). Creates a guest session if needed. */
export function fetchMe(signal?: AbortSignal): Promise<User> {
  return withSession(() => send((s) => readMe({ signal: s }), signal));
}

/** Version and which backends are active (e.g. whether market data is simulated). Public. */
export function fetchMeta(signal?: AbortSignal): Promise<Meta> {
  return send((s) => readMeta({ signal: s }), signal);
}

export type TokenSummary = TokenSummarySchema;
export type TokenDetail = TokenDetailSchema;
export type TokenPage = TokenList;
export type RiskFlag = RiskFlagOut;
export type CandleRow = Candle;
export type CandlesResponse = CandleSeries;
export type MarketStatus = MarketStatusSchema;
export type MarketSourceName = TokenList['source'];
export type TokenSort = SortOrder;
export type CandleTimeframe = Timeframe;

export interface TokenListQuery {
  sort: TokenSort;
  limit: number;
  q?: string;
  cursor?: string;
}

/** One page of the token list. Public: no session needed. */
export function fetchTokens(query: TokenListQuery, signal?: AbortSignal): Promise<TokenPage> {
  return send((s) => listTokens({ query, signal: s }), signal);
}

/** One token with its stats and risk flags; 404 UnknownToken, 400 InvalidAddress (with the reason). */
export function fetchToken(address: string, signal?: AbortSignal): Promise<TokenDetail> {
  return send((s) => readToken({ path: { address }, signal: s }), signal);
}

/** OHLCV candles of a token, oldest first. */
export function fetchCandles(
  address: string,
  query: { tf: CandleTimeframe; limit?: number; before?: number },
  signal?: AbortSignal,
): Promise<CandlesResponse> {
  return send((s) => readCandles({ path: { address }, query, signal: s }), signal);
}

/** Which market source is active and how each one is doing. */
export function fetchMarketStatus(signal?: AbortSignal): Promise<MarketStatus> {
  return send((s) => readMarketStatus({ signal: s }), signal);
}
