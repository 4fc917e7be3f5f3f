import { type ReactElement } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router';

/** Renders `ui` inside a router at `path` and a fresh query client pre-filled with `cache`. */
export function renderWithProviders(
  ui: ReactElement,
  { path = '/', cache = [] }: { path?: string; cache?: [readonly unknown[], unknown][] } = {},
) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  for (const [key, data] of cache) queryClient.setQueryData(key, data);
  return render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
    </QueryClientProvider>,
  );
}
