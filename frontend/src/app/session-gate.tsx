import { type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';

import { ErrorState } from '@/components/ui/error-state';
import { PageSkeleton } from '@/components/ui/skeleton';
import { meQueryOptions } from '@/features/profile/api/me';
import { describeError } from '@/lib/api';

/**
 * Nothing below renders until there is a working session: loading `me` creates a guest session on
 * a first visit and replaces a rejected one. The app chrome stays visible meanwhile, and an
 * unreachable API ends in an explanation with a Retry button, never an endless spinner (requests
 * have a deadline, see api-client).
 */
export function SessionGate({ children }: { children: ReactNode }) {
  const me = useQuery({ ...meQueryOptions, retry: 1 });
  // Data first: a failed background refetch must not take away a page that works.
  if (me.data) return children;
  if (me.isError) {
    return (
      <ErrorState
        title="We couldn't start your session"
        message={describeError(me.error)}
        actionLabel="Retry"
        onAction={() => void me.refetch()}
      />
    );
  }
  return <PageSkeleton label="Getting EAILI5 ready" />;
}
