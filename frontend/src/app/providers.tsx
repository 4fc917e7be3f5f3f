import { type ReactNode, useEffect } from 'react';
import { QueryClientProvider } from '@tanstack/react-query';

import { queryClient } from '@/lib/query-client';
import { realtime } from '@/lib/realtime';
import { onSessionRenewed } from '@/lib/session';

/** Opens the app's one WebSocket for as long as the app is mounted. */
function RealtimeConnection() {
  useEffect(() => {
    realtime.start();
    return () => {
      realtime.stop();
    };
  }, []);
  return null;
}

/**
 * A renewed session is a new guest: the socket must authenticate again and cached data belonged to
 * the old user. Queries already fetching are not cancelled: they already use the new token.
 */
function SessionRenewalSync() {
  useEffect(
    () =>
      onSessionRenewed(() => {
        realtime.reconnect();
        void queryClient.invalidateQueries(undefined, { cancelRefetch: false });
      }),
    [],
  );
  return null;
}

export function AppProviders({ children }: { children: ReactNode }) {
  return (
    <QueryClientProvider client={queryClient}>
      <RealtimeConnection />
      <SessionRenewalSync />
      {children}
    </QueryClientProvider>
  );
}
