import { useId, useState } from 'react';
import { Link } from 'react-router';

import { type ChatSource } from '@/lib/api';
import { formatTime } from '@/lib/format';

import { EXTERNAL_LINK_REL, hostOf, safeHref } from '../api/safe-url';
import { Sheet } from './sheet';

const MARKET_SOURCE_NAMES: Record<string, string> = {
  simulated: 'simulated market',
  geckoterminal: 'GeckoTerminal',
  dexscreener: 'DexScreener',
  coingecko: 'CoinGecko',
  bitquery: 'Bitquery',
};

/** Where the answer came from: only what the tutor actually used. */
export function SourceChips({ sources }: { sources: readonly ChatSource[] }) {
  const titleId = useId();
  const [openCard, setOpenCard] = useState<ChatSource | null>(null);
  if (sources.length === 0) return null;
  return (
    <section className="chat-sources" aria-labelledby={titleId}>
      <h3 id={titleId} className="chat-sources__title">
        Sources
      </h3>
      <ul className="chat-chips">
        {sources.map((source, index) => (
          <li key={`${source.kind}-${source.id ?? source.url ?? ''}-${index}`}>
            <SourceChip source={source} onOpenCard={setOpenCard} />
          </li>
        ))}
      </ul>
      <Sheet
        open={openCard !== null}
        onClose={() => {
          setOpenCard(null);
        }}
        title={openCard?.title ?? 'Knowledge card'}
      >
        {openCard && <CardDetails card={openCard} />}
      </Sheet>
    </section>
  );
}

function SourceChip({ source, onOpenCard }: { source: ChatSource; onOpenCard: (card: ChatSource) => void }) {
  switch (source.kind) {
    case 'card':
    case 'knowledge_search':
      return (
        <button
          type="button"
          className="chat-chip chat-chip--source"
          aria-haspopup="dialog"
          onClick={() => {
            onOpenCard(source);
          }}
        >
          <span className="chat-chip__kind">Card</span>
          <span className="visually-hidden">: </span>
          {source.title}
        </button>
      );
    case 'market':
      return <MarketChip source={source} />;
    case 'web':
      return <WebChip source={source} />;
    case 'portfolio':
      return (
        <Link className="chat-chip chat-chip--source" to="/portfolio">
          <span className="chat-chip__kind">Yours</span> {source.title}
        </Link>
      );
    case 'progress':
      return (
        <Link className="chat-chip chat-chip--source" to="/learn">
          <span className="chat-chip__kind">Yours</span> {source.title}
        </Link>
      );
  }
}

function MarketChip({ source }: { source: ChatSource }) {
  const provider = source.source ? (MARKET_SOURCE_NAMES[source.source] ?? source.source) : null;
  const when = source.as_of ? formatTime(source.as_of) : null;
  const detail = [provider, when].filter(Boolean).join(' · ');
  const body = (
    <>
      <span className="chat-chip__kind">Market</span> {source.title}
      {detail && <span className="chat-chip__detail"> · {detail}</span>}
    </>
  );
  const isAddress = source.id !== null && /^0x[0-9a-fA-F]{40}$/.test(source.id ?? '');
  if (!isAddress) return <span className="chat-chip chat-chip--static">{body}</span>;
  return (
    <Link className="chat-chip chat-chip--source" to={`/market/${source.id ?? ''}`}>
      {body}
    </Link>
  );
}

function WebChip({ source }: { source: ChatSource }) {
  const href = safeHref(source.url);
  const body = (
    <>
      <span className="chat-chip__kind">Web</span> {source.title}
      {href && <span className="chat-chip__detail"> · {hostOf(href)}</span>}
    </>
  );
  if (!href) return <span className="chat-chip chat-chip--static">{body}</span>;
  return (
    <a className="chat-chip chat-chip--source" href={href} target="_blank" rel={EXTERNAL_LINK_REL}>
      {body}
      <span className="visually-hidden"> (opens in a new tab)</span>
    </a>
  );
}

function CardDetails({ card }: { card: ChatSource }) {
  return (
    <div className="chat-card-details">
      <p>
        {card.kind === 'card'
          ? 'This answer used one of EAILI5’s own knowledge cards, written and checked by our team.'
          : 'No web search is set up here, so the tutor searched EAILI5’s own knowledge cards instead.'}
      </p>
      <dl className="chat-card-details__list">
        <div>
          <dt>Card</dt>
          <dd>{card.title}</dd>
        </div>
        {card.id && (
          <div>
            <dt>Card id</dt>
            <dd>
              <code>{card.id}</code>
            </dd>
          </div>
        )}
      </dl>
    </div>
  );
}
