import { type EquityRange, type LeaderboardPeriod, type OrderStatus, type TradeRequest } from '@/lib/api';

/** Query keys of the portfolio feature. Everything under `mine` changes after a trade or a reset. */
export const portfolioKeys = {
  all: ['portfolio'] as const,
  mine: () => ['portfolio', 'mine'] as const,
  summary: () => ['portfolio', 'mine', 'summary'] as const,
  trades: () => ['portfolio', 'mine', 'trades'] as const,
  orders: (status: OrderStatus | 'all') => ['portfolio', 'mine', 'orders', status] as const,
  equity: (range: EquityRange) => ['portfolio', 'mine', 'equity', range] as const,
  quotes: () => ['portfolio', 'mine', 'quote'] as const,
  quote: (request: TradeRequest) => ['portfolio', 'mine', 'quote', request] as const,
  token: (address: string) => ['portfolio', 'token', address.toLowerCase()] as const,
  leaderboard: (period: LeaderboardPeriod) => ['portfolio', 'leaderboard', period] as const,
};
