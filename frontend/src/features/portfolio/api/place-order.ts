import { useMutation, useQueryClient } from '@tanstack/react-query';

import { placeOrder } from '@/lib/api';

import { portfolioKeys } from './keys';
import { type OrderAttempt } from './ticket';

/** POST /api/portfolio/orders with the attempt's Idempotency-Key; refreshes cash, holdings and history. */
export function usePlaceOrder() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (attempt: OrderAttempt) => placeOrder(attempt.order, attempt.key),
    onSettled: () => queryClient.invalidateQueries({ queryKey: portfolioKeys.mine() }),
  });
}
