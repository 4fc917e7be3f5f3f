import { useMutation, useQueryClient } from '@tanstack/react-query';

import { resetPortfolio } from '@/lib/api';

import { portfolioKeys } from './keys';

/** POST /api/portfolio/reset: a fresh $100 run; every portfolio query is refetched. */
export function useResetPortfolio() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => resetPortfolio(),
    onSuccess: (portfolio) => {
      queryClient.setQueryData(portfolioKeys.summary(), portfolio);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: portfolioKeys.mine() }),
  });
}
