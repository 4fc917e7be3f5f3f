import { useEffect, useId, useState } from 'react';
import { useSearchParams } from 'react-router';

import { SearchIcon } from '@/components/icons';
import { Badge } from '@/components/ui/badge';
import { Page } from '@/components/ui/page';
import { SegmentedControl } from '@/components/ui/segmented-control';
import { useDebouncedValue } from '@/lib/use-debounced-value';

import { DEFAULT_SORT, MAX_QUERY_LENGTH, normalizeQuery, parseSort, TOKEN_SORTS, type TokenSort } from '../api/params';
import { useMarketSource } from '../hooks/use-market-source';
import { usePriceTicks } from '../hooks/use-price-ticks';
import { TokenList } from './token-list';
import './market-page.css';

const SEARCH_DEBOUNCE_MS = 300;

/** Sort and search live in the URL, so Back from a token page returns to the same list. */
function useListParams() {
  const [searchParams, setSearchParams] = useSearchParams();
  const sort = parseSort(searchParams.get('sort'));
  const q = normalizeQuery(searchParams.get('q'));
  const update = (next: { sort?: TokenSort; q?: string | undefined }) => {
    setSearchParams(
      (current) => {
        const params = new URLSearchParams(current);
        const nextSort = next.sort ?? sort;
        if (nextSort === DEFAULT_SORT) params.delete('sort');
        else params.set('sort', nextSort);
        const nextQ = 'q' in next ? normalizeQuery(next.q) : q;
        if (nextQ) params.set('q', nextQ);
        else params.delete('q');
        return params;
      },
      { replace: true },
    );
  };
  return { sort, q, update };
}

function SearchBox({ initial, onSearch }: { initial: string; onSearch: (q: string) => void }) {
  const id = useId();
  const [text, setText] = useState(initial);
  const debounced = useDebouncedValue(text, SEARCH_DEBOUNCE_MS);
  useEffect(() => {
    onSearch(debounced);
    // Only the debounced text matters; onSearch is a fresh closure on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);
  return (
    <div className="market-search">
      <label htmlFor={id} className="visually-hidden">
        Search tokens by symbol or name
      </label>
      <SearchIcon />
      <input
        id={id}
        type="search"
        className="market-search__input"
        placeholder="Search ETH, USDC, AERO…"
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
        maxLength={MAX_QUERY_LENGTH}
        enterKeyHint="search"
        value={text}
        onChange={(event) => {
          setText(event.target.value);
        }}
      />
    </div>
  );
}

export function MarketPage() {
  const source = useMarketSource();
  const { sort, q, update } = useListParams();
  usePriceTicks();
  return (
    <Page
      title="Market"
      intro="Live tokens on Base. Tap one to see its chart and what its numbers mean."
      aside={source === 'simulated' ? <Badge tone="warning">Simulated market</Badge> : null}
    >
      <div className="market-controls">
        <SearchBox
          initial={q ?? ''}
          onSearch={(text) => {
            if (normalizeQuery(text) !== q) update({ q: text });
          }}
        />
        <SegmentedControl
          label="Sort tokens by"
          options={TOKEN_SORTS}
          value={sort}
          onChange={(value) => {
            update({ sort: value });
          }}
        />
      </div>
      <TokenList params={{ sort, q }} />
    </Page>
  );
}
