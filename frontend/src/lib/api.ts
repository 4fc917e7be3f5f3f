/**
 * The API as features see it: typed functions over the generated SDK (src/client). Features never
 * import the generated code, so a regenerated client with renamed operations changes only this file and session.ts.
 */
import {
  answerQuiz as answerQuizSdk,
  cancelOrder as cancelOrderSdk,
  completeLesson as completeLessonSdk,
  leaderboard as learnLeaderboardSdk,
  listPaths,
  listOrders,
  listTokens,
  listTrades,
  placeOrder as placeOrderSdk,
  quoteTrade,
  readCandles,
  readEquity,
  readGlossaryTerm,
  readLeaderboard,
  readLesson,
  readMarketStatus,
  readMe,
  readMeta,
  readPortfolio,
  readProgress,
  readRecentTrades,
  readToken,
  recommendations as learnRecommendationsSdk,
  resetPortfolio as resetPortfolioSdk,
  reviewCard as reviewCardSdk,
  reviewQueue,
  searchGlossary,
} from '@/client/sdk.gen';
import type {
  EquityOut,
  EquityPoint as EquityPointSchema,
  BadgeOut,
  Candle,
  CandleSeries,
  CompleteOut,
  GlossaryPage as GlossaryPageSchema,
  GlossaryTermDetail,
  GlossaryTermOut,
  GradedAnswer as GradedAnswerSchema,
  HoldingOut,
  LeaderboardResponse,
  LessonOut,
  LessonSummary as LessonSummarySchema,
  MarketStatus as MarketStatusSchema,
  Meta as MetaSchema,
  OrderIn,
  OrderOut,
  OrderResult as OrderResultSchema,
  PathOut,
  PortfolioOut,
  ProgressOut,
  QuestionOut,
  QuizIn,
  QuizOut,
  QuoteOut,
  RecentTrades as RecentTradesSchema,
  Recommendation as RecommendationSchema,
  RecommendationsOut,
  ReviewCardOut,
  ReviewIn,
  ReviewOut,
  ReviewQueueOut,
  RiskFlagOut,
  SortOrder,
  Timeframe,
  TokenDetail as TokenDetailSchema,
  TokenList,
  TokenSummary as TokenSummarySchema,
  TradeOut,
  TradePage as TradePageSchema,
  TradeRequest as TradeRequestSchema,
  TradingLeaderboard as TradingLeaderboardSchema,
  TradingLeaderboardEntry,
  TryItOut,
  UserOut,
  XpItem as XpItemSchema,
} from '@/client/types.gen';

import { send } from './api-client';
import { withSession } from './session';

export type User = UserOut;
export type Meta = MetaSchema;

export { ApiError, describeError } from './api-error';
// The tutor's conversations and the reading-level preference (kept apart to avoid edit collisions).
export * from './chat-api';
// Wallet sign-in, sessions and the user's own data (same reason).
export * from './auth-api';

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

export type WaitingOrder = OrderOut;
export type OrderStatus = OrderOut['status'];
export type Equity = EquityOut;
export type EquityPoint = EquityPointSchema;
export type EquityRange = EquityOut['range'];
export type TradingLeaderboard = TradingLeaderboardSchema;
export type TradingLeaderboardRow = TradingLeaderboardEntry;
export type LeaderboardPeriod = TradingLeaderboardSchema['period'];

/** This run's limit, stop-loss and take-profit orders, newest first (all states unless `status`). */
export async function fetchOrders(status?: OrderStatus, signal?: AbortSignal): Promise<WaitingOrder[]> {
  const page = await send((s) => listOrders({ query: status ? { status } : {}, signal: s }), signal);
  return page.items;
}

/** Cancels a waiting order (409 OrderNotOpen when it already filled, failed or expired). */
export function cancelOrder(orderId: string, signal?: AbortSignal): Promise<WaitingOrder> {
  return send((s) => cancelOrderSdk({ path: { order_id: orderId }, signal: s }), signal);
}

/** Total value over time for the equity chart, oldest first. */
export function fetchEquity(range: EquityRange, signal?: AbortSignal): Promise<Equity> {
  return send((s) => readEquity({ query: { range }, signal: s }), signal);
}

/** The play-money leaderboard of current runs, with the caller's own rank. */
export function fetchTradingLeaderboard(period: LeaderboardPeriod, signal?: AbortSignal): Promise<TradingLeaderboard> {
  return send((s) => readLeaderboard({ query: { period }, signal: s }), signal);
}

export type LearnPath = PathOut;
export type LessonSummary = LessonSummarySchema;
export type Lesson = LessonOut;
export type QuizQuestion = QuestionOut;
export type TryIt = TryItOut;
export type LessonCompletion = CompleteOut;
export type QuizAnswers = QuizIn;
export type QuizResponse = QuizOut;
export type GradedAnswer = GradedAnswerSchema;
export type XpItem = XpItemSchema;
export type Badge = BadgeOut;
export type LearnProgress = ProgressOut;
export type ReviewQueue = ReviewQueueOut;
export type ReviewCard = ReviewCardOut;
export type ReviewGrade = ReviewIn;
export type ReviewResult = ReviewOut;
export type GlossaryTerm = GlossaryTermOut;
export type GlossaryPage = GlossaryPageSchema;
export type GlossaryTermDetails = GlossaryTermDetail;
export type Recommendation = RecommendationSchema;
export type Recommendations = RecommendationsOut;
export type LearnLeaderboard = LeaderboardResponse;

/** Every learning path in order with its lessons and the caller's progress on each. */
export async function fetchLearnPaths(signal?: AbortSignal): Promise<LearnPath[]> {
  const body = await send((s) => listPaths({ signal: s }), signal);
  return body.paths;
}

/** A lesson's cards and its quiz questions (never which answer is right) with the caller's progress. */
export function fetchLesson(lessonId: string, signal?: AbortSignal): Promise<Lesson> {
  return send((s) => readLesson({ path: { lesson_id: lessonId }, signal: s }), signal);
}

/** Marks a lesson done: XP the first time only, today's streak (in `timeZone`'s local day), new badges. */
export function completeLesson(lessonId: string, timeZone?: string, signal?: AbortSignal): Promise<LessonCompletion> {
  return send(
    (s) => completeLessonSdk({ path: { lesson_id: lessonId }, body: { time_zone: timeZone }, signal: s }),
    signal,
  );
}

/** Grades answers of a quiz attempt (leave out `attempt_id` to start one); `result` once all are answered. */
export function answerQuiz(lessonId: string, body: QuizAnswers, signal?: AbortSignal): Promise<QuizResponse> {
  return send((s) => answerQuizSdk({ path: { lesson_id: lessonId }, body, signal: s }), signal);
}

/** XP, level, streak, badges (earned or not) and progress per path. */
export function fetchLearnProgress(timeZone?: string, signal?: AbortSignal): Promise<LearnProgress> {
  return send((s) => readProgress({ query: { time_zone: timeZone }, signal: s }), signal);
}

/** Review cards due now, oldest first (questions without their answers). */
export function fetchReviewQueue(limit = 20, signal?: AbortSignal): Promise<ReviewQueue> {
  return send((s) => reviewQueue({ query: { limit }, signal: s }), signal);
}

/** Grades one review card (a question: `option_ids`; a term: `rating`) and schedules it again. */
export function gradeReviewCard(cardId: string, body: ReviewGrade, signal?: AbortSignal): Promise<ReviewResult> {
  return send((s) => reviewCardSdk({ path: { card_id: cardId }, body, signal: s }), signal);
}

/** Glossary search (small typos are fine); no `q`: every term, alphabetically. Public. */
export function fetchGlossary(query: { q?: string; limit?: number } = {}, signal?: AbortSignal): Promise<GlossaryPage> {
  return send((s) => searchGlossary({ query, signal: s }), signal);
}

/** One glossary term and the lessons using it; for a signed-in caller it also becomes a review card. */
export function fetchGlossaryTerm(termId: string, signal?: AbortSignal): Promise<GlossaryTermDetails> {
  return send((s) => readGlossaryTerm({ path: { term_id: termId }, signal: s }), signal);
}

/** The next lesson, topics to go over again, and hints from practice trades. */
export function fetchLearnRecommendations(signal?: AbortSignal): Promise<Recommendations> {
  return send((s) => learnRecommendationsSdk({ signal: s }), signal);
}

/** XP ranking of this week (Monday 00:00 UTC) or of all time, with the caller's own rank. */
export function fetchLearnLeaderboard(
  query: { period?: 'week' | 'all'; limit?: number } = {},
  signal?: AbortSignal,
): Promise<LearnLeaderboard> {
  return send((s) => learnLeaderboardSdk({ query, signal: s }), signal);
}
