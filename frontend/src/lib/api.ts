/**
 * The API as features see it: typed functions over the generated SDK (src/client). Features never
 * import the generated code, so a regenerated client with renamed operations changes only this file and session.ts.
 */
import {
  listTokens,
  listTrades,
  placeOrder as placeOrderSdk,
  quoteTrade,
  readCandles,
  readMarketStatus,
  readMe,
  readMeta,
  readPortfolio,
  readRecentTrades,
  readToken,
  resetPortfolio as resetPortfolioSdk,
} from '@/client/sdk.gen';
import type {
  Candle,
  CandleSeries,
  HoldingOut,
  MarketStatus as MarketStatusSchema,
  Meta as MetaSchema,
  OrderIn,
  OrderResult as OrderResultSchema,
  PortfolioOut,
  QuoteOut,
  RecentTrades as RecentTradesSchema,
  RiskFlagOut,
  SortOrder,
  Timeframe,
  TokenDetail as TokenDetailSchema,
  TokenList,
  TokenSummary as TokenSummarySchema,
  TradeOut,
  TradePage as TradePageSchema,
  TradeRequest as TradeRequestSchema,
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
export type RecentTrades = RecentTradesSchema;
export type MarketTrade = RecentTradesSchema['trades'][number];

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

/** The token's newest swaps (simulated, or Bitquery when keyed); 503 NoTradesSource when none lists trades. */
export function fetchRecentTrades(address: string, limit: number, signal?: AbortSignal): Promise<RecentTrades> {
  return send((s) => readRecentTrades({ path: { address }, query: { limit }, signal: s }), signal);
}

/** Which market source is active and how each one is doing. */
export function fetchMarketStatus(signal?: AbortSignal): Promise<MarketStatus> {
  return send((s) => readMarketStatus({ signal: s }), signal);
}

export type Portfolio = PortfolioOut;
export type Holding = HoldingOut;
export type TradeRequest = TradeRequestSchema;
export type OrderRequest = OrderIn;
export type Quote = QuoteOut;
export type Trade = TradeOut;
export type OrderResult = OrderResultSchema;
export type TradePage = TradePageSchema;

/** The practice portfolio (created with $100 on first use), valued at the latest prices. */
export function fetchPortfolio(signal?: AbortSignal): Promise<Portfolio> {
  return send((s) => readPortfolio({ signal: s }), signal);
}

/** What a market order would do right now, every cost explained. Nothing is traded. */
export function fetchQuote(request: TradeRequest, signal?: AbortSignal): Promise<Quote> {
  return send((s) => quoteTrade({ body: request, signal: s }), signal);
}

/**
 * Places a market order. `idempotencyKey` must be new for each order and reused for retries of the
 * same one: the server then returns the original trade (`replayed`) instead of trading twice.
 */
export function placeOrder(order: OrderRequest, idempotencyKey: string, signal?: AbortSignal): Promise<OrderResult> {
  return send((s) => placeOrderSdk({ body: order, headers: { 'idempotency-key': idempotencyKey }, signal: s }), signal);
}

/** This run's trades, newest first; pass `next_cursor` for the following page. */
export function fetchTrades(query: { cursor?: string; limit?: number } = {}, signal?: AbortSignal): Promise<TradePage> {
  return send((s) => listTrades({ query, signal: s }), signal);
}

/** Starts again with $100; the old run is archived. */
export function resetPortfolio(signal?: AbortSignal): Promise<Portfolio> {
  return send((s) => resetPortfolioSdk({ signal: s }), signal);
}
