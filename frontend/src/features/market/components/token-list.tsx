import { Button } from '@/components/ui/button';
import { ErrorState } from '@/components/ui/error-state';
import { Skeleton } from '@/components/ui/skeleton';
import { describeError } from '@/lib/api';

import { type TokenListParams } from '../api/params';
import { useTokens } from '../api/tokens';
import { MarketSourceLine } from './market-source-line';
import { TokenRow } from './token-row';
import './token-list.css';

const SKELETON_ROWS = 8;

function TokenListSkeleton() {
  return (
    <div className="token-list__skeleton" role="status" aria-live="polite">
      <span className="visually-hidden">Loading tokens</span>
      <Skeleton width="70%" height="0.875rem" />
      {Array.from({ length: SKELETON_ROWS }, (_, index) => (
        <Skeleton key={index} height="3.75rem" radius="var(--radius-sm)" />
      ))}
    </div>
  );
}

export function TokenList({ params }: { params: TokenListParams }) {
  const query = useTokens(params);
  if (query.isPending) return <TokenListSkeleton />;
  // A failed "load more" also puts the query in error, but with the pages it already had.
  if (!query.data) {
    return (
      <ErrorState
        title="We couldn't load the market"
        message={describeError(query.error)}
        actionLabel="Retry"
        onAction={() => void query.refetch()}
      />
    );
  }
  const pages = query.data.pages;
  const first = pages[0];
  const tokens = pages.flatMap((page) => page.items);
  const stale = pages.some((page) => page.stale) || tokens.some((token) => token.stale);
  return (
    <div className="token-list" aria-busy={query.isFetching && query.isPlaceholderData}>
      {first && <MarketSourceLine source={first.source} asOf={first.as_of} stale={stale} />}
      {tokens.length === 0 ? (
        <p className="token-list__empty" role="status">
          {params.q ? `No token matches “${params.q}”. Try a symbol like ETH or USDC.` : 'No tokens to show right now.'}
        </p>
      ) : (
        <ul className="token-list__rows" aria-label="Tokens">
          {tokens.map((token) => (
            <TokenRow key={token.address} token={token} />
          ))}
        </ul>
      )}
      {query.isFetchNextPageError && (
        <p className="token-list__more-error" role="alert">
          {describeError(query.error)}
        </p>
      )}
      {query.hasNextPage && (
        <Button
          variant="secondary"
          className="token-list__more"
          disabled={query.isFetchingNextPage}
          onClick={() => void query.fetchNextPage()}
        >
          {query.isFetchingNextPage ? 'Loading…' : 'Load more tokens'}
        </Button>
      )}
    </div>
  );
}
