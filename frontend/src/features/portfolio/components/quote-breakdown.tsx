import { WarningIcon } from '@/components/icons';
import { type Quote, type RiskFlag } from '@/lib/api';
import { formatPercent, formatPrice, formatRelativeTime, formatUsd, formatUnitAmount } from '@/lib/format';
import { useNow } from '@/lib/use-now';

/** The quote's warnings (big price impact, risky token), before anything else. */
export function QuoteWarnings({ warnings }: { warnings: readonly RiskFlag[] }) {
  if (warnings.length === 0) return null;
  return (
    <ul className="pf-warnings" aria-label="Warnings">
      {warnings.map((warning) => (
        <li key={warning.code} className={`pf-warning pf-warning--${warning.level}`}>
          <WarningIcon />
          <span>
            <strong>{warning.title}.</strong> {warning.explanation}
          </span>
        </li>
      ))}
    </ul>
  );
}

function Row({ term, value, explanation }: { term: string; value: string; explanation: string | undefined }) {
  return (
    <div className="pf-breakdown__row">
      <dt>{term}</dt>
      <dd className="pf-breakdown__value">{value}</dd>
      {explanation && <dd className="pf-breakdown__why">{explanation}</dd>}
    </div>
  );
}

function sourceLabel(source: string): string {
  return source === 'simulated' ? 'the simulated market' : source;
}

/** Every number of a quote in plain words, each with its one-line explanation from the API. */
export function QuoteBreakdown({ quote }: { quote: Quote }) {
  const now = useNow(5_000);
  const why = quote.explanations;
  return (
    <div className="pf-breakdown" data-testid="quote">
      <dl>
        <Row
          term="You pay"
          value={formatUnitAmount(quote.you_pay.amount, quote.you_pay.unit)}
          explanation={why.you_pay}
        />
        <Row
          term="You get about"
          value={formatUnitAmount(quote.you_get.amount, quote.you_get.unit)}
          explanation={why.you_get}
        />
        <Row
          term="Pool fee"
          value={`${formatUsd(quote.pool_fee_usd)} (${formatPercent(quote.pool_fee_bps / 100)})`}
          explanation={why.pool_fee}
        />
        <Row
          term="Price impact"
          value={`${formatPercent(quote.price_impact_pct)} (${formatUsd(quote.price_impact_usd)})`}
          explanation={why.price_impact}
        />
        <Row term="Gas" value={formatUsd(quote.gas_usd)} explanation={why.gas} />
        <Row
          term="Minimum you get"
          value={formatUnitAmount(quote.minimum_received.amount, quote.minimum_received.unit)}
          explanation={why.minimum_received}
        />
      </dl>
      <p className="pf-muted pf-breakdown__source">
        1 {quote.symbol} = {formatPrice(quote.price_usd)} from {sourceLabel(quote.price_source)},{' '}
        {formatRelativeTime(quote.as_of, now)}.
      </p>
    </div>
  );
}
