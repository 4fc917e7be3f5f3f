import { ErrorState } from '@/components/ui/error-state';
import { describeError } from '@/lib/api';

/** A failed load on a Learn screen: what happened in plain words, and Retry. */
export function LearnProblem({ title, error, onRetry }: { title: string; error: unknown; onRetry: () => void }) {
  return <ErrorState title={title} message={describeError(error)} actionLabel="Retry" onAction={onRetry} />;
}
