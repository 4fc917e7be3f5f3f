import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { cancelOrder, fetchOrders } from '@/lib/api';

import { portfolioKeys } from './keys';

/** Waiting orders can fill on any price tick (the server says so on the portfolio channel too). */
export const ORDERS_REFRESH_MS = 15_000;

/** GET /api/portfolio/orders: every order of this run, newest first (the list splits open and closed). */
export const ordersQueryOptions = queryOptions({
  queryKey: portfolioKeys.orders('all'),
  queryFn: ({ signal }) => fetchOrders(undefined, signal),
  staleTime: 5_000,
  refetchInterval: ORDERS_REFRESH_MS,
});

export function useOrders() {
  return useQuery(ordersQueryOptions);
}

/** DELETE /api/portfolio/orders/{id}; refreshes the orders (and everything else of this run). */
export function useCancelOrder() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (orderId: string) => cancelOrder(orderId),
    onSettled: () => queryClient.invalidateQueries({ queryKey: portfolioKeys.mine() }),
  });
}
