import { useEffect, useId, useRef, useState } from 'react';

import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { SegmentedControl } from '@/components/ui/segmented-control';
import { Skeleton } from '@/components/ui/skeleton';
import { type OrderRequest, type OrderResult, type Portfolio, type Quote, type TradeRequest } from '@/lib/api';
import { formatPrice, formatTokenAmount, formatUsd, formatUnitAmount } from '@/lib/format';
import { useDebouncedValue } from '@/lib/use-debounced-value';

import { usePlaceOrder } from '../api/place-order';
import { useQuote } from '../api/quote';
import {
  attemptFor,
  buildTradeRequest,
  describeTradeError,
  type OrderAttempt,
  type OrderKind,
  orderFromQuote,
  orderKindsFor,
  parseTriggerPrice,
  SELL_PERCENTS,
  type SellPercent,
  type TicketContext,
  type TradeSide,
  triggerExplanation,
  waitingOrder,
  waitingOrderSentence,
} from '../api/ticket';
import { useTicketToken } from '../api/token';
import { QuoteBreakdown, QuoteWarnings } from './quote-breakdown';

const QUOTE_DEBOUNCE_MS = 400;
const SIDES = [
  { value: 'buy', label: 'Buy' },
  { value: 'sell', label: 'Sell' },
] as const;
const BUY_PRESETS = ['5', '10', '25'] as const;

export interface TradeTicketProps {
  address: string;
  portfolio: Portfolio;
  initialSide: TradeSide;
  onClose: () => void;
}

type Step =
  | { name: 'edit' }
  | { name: 'confirm'; request: TradeRequest; quote: Quote }
  | { name: 'confirm-waiting'; order: OrderRequest }
  | { name: 'done'; result: OrderResult };

type WaitingKind = Exclude<OrderKind, 'market'>;

/** Moves focus to `ref` whenever `trigger` changes, so screen readers follow the ticket's steps. */
function useFocusOn(ref: React.RefObject<HTMLElement | null>, trigger: unknown) {
  useEffect(() => {
    ref.current?.focus();
  }, [ref, trigger]);
}

/**
 * Buy or sell one token with play money: amount → live quote in plain words → confirm → fill.
 * Opened from `/portfolio?token=<address>` (the token page's "Practise a trade") or a holding.
 */
export function TradeTicket({ address, portfolio, initialSide, onClose }: TradeTicketProps) {
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const token = useTicketToken(address);
  const holding = portfolio.holdings.find((h) => h.token.toLowerCase() === address.toLowerCase());
  const symbol = token.data?.symbol ?? holding?.symbol;
  const decimals = token.data?.decimals ?? holding?.decimals;

  useEffect(() => {
    // jsdom (unit tests) has no scrollIntoView.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    headingRef.current?.closest('.pf-ticket')?.scrollIntoView?.({ block: 'start' });
    headingRef.current?.focus({ preventScroll: true });
  }, [address]);

  let body;
  if (symbol !== undefined && decimals !== undefined) {
    const context: TicketContext = {
      token: address,
      symbol,
      decimals,
      cash: portfolio.cash_usd,
      held: holding?.amount ?? '0',
    };
    const price = token.data?.price_usd ?? holding?.price_usd ?? null;
    body = <TicketBody key={address} context={context} price={price} initialSide={initialSide} onClose={onClose} />;
  } else if (token.isError) {
    body = (
      <p role="alert" className="pf-alert pf-alert--danger">
        {describeTradeError(token.error).message}
      </p>
    );
  } else {
    body = (
      <div aria-busy="true" className="pf-list-skeleton">
        <span className="visually-hidden" role="status">
          Loading the token
        </span>
        <Skeleton height="2.75rem" radius="var(--radius-full)" />
        <Skeleton height="2.75rem" radius="var(--radius-sm)" />
      </div>
    );
  }

  return (
    <Card className="pf-ticket" role="region" aria-labelledby={headingId} data-testid="trade-ticket">
      <div className="pf-ticket__header">
        <h2 id={headingId} ref={headingRef} tabIndex={-1} className="pf-ticket__title">
          Practise a trade{symbol ? `: ${symbol}` : ''}
        </h2>
        <Button variant="ghost" className="pf-small-button" onClick={onClose} aria-label="Close the trade ticket">
          Close
        </Button>
      </div>
      <p className="pf-muted">Play money at live prices, with the same costs a real swap has.</p>
      {body}
    </Card>
  );
}

function TicketBody({
  context,
  price,
  initialSide,
  onClose,
}: {
  context: TicketContext;
  price: string | null;
  initialSide: TradeSide;
  onClose: () => void;
}) {
  const [side, setSide] = useState<TradeSide>(initialSide);
  const [kind, setKind] = useState<OrderKind>('market');
  const [triggerText, setTriggerText] = useState('');
  const [text, setText] = useState('');
  const [percent, setPercent] = useState<SellPercent | null>(null);
  const [step, setStep] = useState<Step>({ name: 'edit' });
  // A ref, not state: two taps in the same frame must see the same attempt (and so the same key).
  const attempt = useRef<OrderAttempt | null>(null);
  const order = usePlaceOrder();
  const stepRef = useRef<HTMLDivElement>(null);
  useFocusOn(stepRef, step.name);

  const debouncedText = useDebouncedValue(text, QUOTE_DEBOUNCE_MS);
  const { request, message } = buildTradeRequest({ side, text: debouncedText, percent }, context);
  const waiting = kind === 'market' ? null : kind;
  const trigger = waiting ? parseTriggerPrice(triggerText, waiting, context.symbol, price) : null;
  const quote = useQuote(step.name === 'edit' && !waiting ? request : null);

  const backToEdit = () => {
    attempt.current = null;
    order.reset();
    setStep({ name: 'edit' });
  };

  const send = (orderRequest: OrderRequest) => {
    if (order.isPending) return;
    const next = attemptFor(attempt.current, orderRequest);
    attempt.current = next;
    order.mutate(next, {
      onSuccess: (result) => {
        attempt.current = null;
        setStep({ name: 'done', result });
      },
    });
  };

  if (step.name === 'done') {
    return (
      <div ref={stepRef} tabIndex={-1} className="pf-ticket__step">
        <FillSummary result={step.result} />
        <div className="pf-ticket__actions">
          <Button
            onClick={() => {
              setText('');
              setPercent(null);
              backToEdit();
            }}
          >
            Trade again
          </Button>
          <Button variant="secondary" onClick={onClose}>
            Close
          </Button>
        </div>
      </div>
    );
  }

  if (step.name === 'confirm-waiting') {
    const problem = order.isError ? describeTradeError(order.error) : null;
    return (
      <div ref={stepRef} tabIndex={-1} className="pf-ticket__step">
        <h3 className="pf-ticket__step-title">Check and confirm</h3>
        <p className="pf-ticket__sentence" data-testid="waiting-sentence">
          {waitingOrderSentence(step.order, context.symbol)}
        </p>
        <p className="pf-muted">{WAITING_NOTE}</p>
        {problem && (
          <p role="alert" className="pf-alert pf-alert--danger" data-testid="trade-error">
            {problem.message}
          </p>
        )}
        <div className="pf-ticket__actions">
          {problem && problem.action !== 'retry' ? (
            <Button onClick={backToEdit}>Change the order</Button>
          ) : (
            <Button
              onClick={() => {
                send(step.order);
              }}
              disabled={order.isPending}
              aria-busy={order.isPending || undefined}
            >
              {order.isPending ? 'Placing your order…' : problem ? 'Try again' : 'Place order'}
            </Button>
          )}
          <Button variant="secondary" onClick={backToEdit} disabled={order.isPending}>
            Back
          </Button>
        </div>
      </div>
    );
  }

  if (step.name === 'confirm') {
    const problem = order.isError ? describeTradeError(order.error) : null;
    return (
      <div ref={stepRef} tabIndex={-1} className="pf-ticket__step">
        <h3 className="pf-ticket__step-title">Check and confirm</h3>
        <p className="pf-ticket__sentence">{confirmSentence(step.quote)}</p>
        <QuoteWarnings warnings={step.quote.warnings} />
        <QuoteBreakdown quote={step.quote} />
        {problem && (
          <p role="alert" className="pf-alert pf-alert--danger" data-testid="trade-error">
            {problem.message}
          </p>
        )}
        <div className="pf-ticket__actions">
          {problem && problem.action !== 'retry' ? (
            <Button onClick={backToEdit}>
              {problem.action === 'requote' ? 'Get a new quote' : 'Change the amount'}
            </Button>
          ) : (
            <Button
              onClick={() => {
                send(orderFromQuote(step.request, step.quote));
              }}
              disabled={order.isPending}
              aria-busy={order.isPending || undefined}
            >
              {order.isPending ? 'Placing your trade…' : problem ? 'Try again' : `Confirm ${step.quote.side}`}
            </Button>
          )}
          <Button variant="secondary" onClick={backToEdit} disabled={order.isPending}>
            Back
          </Button>
        </div>
      </div>
    );
  }

  const quoteProblem = request && quote.isError ? describeTradeError(quote.error) : null;
  const shownQuote = request && !quoteProblem ? quote.data : undefined;
  const quoteIsCurrent = shownQuote !== undefined && !quote.isPlaceholderData;
  const typing = text !== debouncedText;

  return (
    <div ref={stepRef} tabIndex={-1} className="pf-ticket__step">
      <SegmentedControl
        label="Buy or sell"
        options={SIDES}
        value={side}
        fill
        onChange={(next) => {
          setSide(next);
          setText('');
          setPercent(null);
          if (next === 'buy' && kind !== 'market' && kind !== 'limit') setKind('market');
        }}
      />
      <p className="pf-ticket__caption" aria-hidden="true">
        When should it trade?
      </p>
      <SegmentedControl
        label="When to trade"
        options={orderKindsFor(side)}
        value={kind}
        // Four choices do not fit one row on a 360 px phone: let them wrap instead of clipping.
        fill={side === 'buy'}
        onChange={(next) => {
          setKind(next);
          setTriggerText('');
        }}
      />
      {side === 'buy' ? (
        <BuyAmount context={context} text={text} onText={setText} />
      ) : (
        <SellAmount
          context={context}
          text={text}
          percent={percent}
          onText={(value) => {
            setText(value);
            setPercent(null);
          }}
          onPercent={(value) => {
            setPercent(value);
            setText('');
          }}
        />
      )}
      {waiting && (
        <TriggerField
          kind={waiting}
          side={side}
          symbol={context.symbol}
          price={price}
          text={triggerText}
          onText={setTriggerText}
        />
      )}
      <div aria-live="polite" className="pf-ticket__feedback">
        {trigger && !trigger.ok && trigger.message && (
          <p className="pf-alert pf-alert--warning" data-testid="trigger-problem">
            {trigger.message}
          </p>
        )}
        {message && !typing && (
          <p className="pf-alert pf-alert--warning" data-testid="amount-problem">
            {message}
          </p>
        )}
        {quoteProblem && (
          <div className="pf-alert pf-alert--danger" data-testid="quote-error">
            <p>{quoteProblem.message}</p>
            {quoteProblem.action === 'retry' && (
              <Button variant="secondary" className="pf-small-button" onClick={() => void quote.refetch()}>
                Try again
              </Button>
            )}
          </div>
        )}
        {request && quote.isPending && !quoteProblem && <p className="pf-muted">Getting a quote…</p>}
      </div>
      {shownQuote && !waiting && (
        <div className={quoteIsCurrent ? undefined : 'pf-dimmed'}>
          <QuoteWarnings warnings={shownQuote.warnings} />
          <QuoteBreakdown quote={shownQuote} />
        </div>
      )}
      {waiting && <p className="pf-muted">{WAITING_NOTE}</p>}
      <div className="pf-ticket__actions">
        {waiting ? (
          <Button
            disabled={!request || !trigger?.ok || typing}
            onClick={() => {
              if (request && trigger?.ok)
                setStep({ name: 'confirm-waiting', order: waitingOrder(request, waiting, trigger.value) });
            }}
          >
            Review order
          </Button>
        ) : (
          <Button
            disabled={!request || !quoteIsCurrent || typing}
            onClick={() => {
              if (request && shownQuote) setStep({ name: 'confirm', request, quote: shownQuote });
            }}
          >
            Review {side === 'buy' ? 'buy' : 'sell'}
          </Button>
        )}
      </div>
    </div>
  );
}

const WAITING_NOTE =
  'Nothing is set aside now. When the price gets there, it trades at that moment with the same costs as a trade now ' +
  '(pool fee, price impact and gas). If your cash or coins are gone by then, it does not trade. It ends after 7 days.';

function TriggerField({
  kind,
  side,
  symbol,
  price,
  text,
  onText,
}: {
  kind: WaitingKind;
  side: TradeSide;
  symbol: string;
  price: string | null;
  text: string;
  onText: (text: string) => void;
}) {
  const id = useId();
  return (
    <div className="pf-field">
      <label htmlFor={id}>Trigger price (US dollars for 1 {symbol})</label>
      <div className="pf-field__input">
        <span aria-hidden="true">$</span>
        <input
          id={id}
          inputMode="decimal"
          autoComplete="off"
          placeholder={price ? formatPrice(price).replace('$', '') : '0.00'}
          value={text}
          aria-describedby={`${id}-hint`}
          onChange={(event) => {
            onText(event.target.value);
          }}
        />
      </div>
      <p id={`${id}-hint`} className="pf-muted" data-testid="trigger-explanation">
        {triggerExplanation(kind, side, symbol)}
        {price && ` Now 1 ${symbol} is ${formatPrice(price)}.`}
      </p>
    </div>
  );
}

function BuyAmount({
  context,
  text,
  onText,
}: {
  context: TicketContext;
  text: string;
  onText: (text: string) => void;
}) {
  const id = useId();
  return (
    <div className="pf-field">
      <label htmlFor={id}>How much play money to spend (US dollars)</label>
      <div className="pf-field__input">
        <span aria-hidden="true">$</span>
        <input
          id={id}
          inputMode="decimal"
          autoComplete="off"
          placeholder="10.00"
          value={text}
          aria-describedby={`${id}-hint`}
          onChange={(event) => {
            onText(event.target.value);
          }}
        />
      </div>
      <p id={`${id}-hint`} className="pf-muted">
        You have {formatUsd(context.cash)} in cash. The smallest trade is $1.
      </p>
      <div className="pf-chips" role="group" aria-label="Quick amounts">
        {BUY_PRESETS.map((preset) => (
          <Button
            key={preset}
            variant="secondary"
            className="pf-small-button"
            aria-pressed={text === preset}
            onClick={() => {
              onText(preset);
            }}
          >
            ${preset}
          </Button>
        ))}
      </div>
    </div>
  );
}

function SellAmount({
  context,
  text,
  percent,
  onText,
  onPercent,
}: {
  context: TicketContext;
  text: string;
  percent: SellPercent | null;
  onText: (text: string) => void;
  onPercent: (percent: SellPercent) => void;
}) {
  const id = useId();
  return (
    <div className="pf-field">
      <label htmlFor={id}>How many {context.symbol} to sell</label>
      <div className="pf-field__input">
        <input
          id={id}
          inputMode="decimal"
          autoComplete="off"
          placeholder={percent === null ? '0.0' : `${percent}% of your ${context.symbol}`}
          value={text}
          aria-describedby={`${id}-hint`}
          onChange={(event) => {
            onText(event.target.value);
          }}
        />
        <span aria-hidden="true">{context.symbol}</span>
      </div>
      <p id={`${id}-hint`} className="pf-muted">
        You have {formatTokenAmount(context.held)} {context.symbol}.
      </p>
      <div className="pf-chips" role="group" aria-label="Sell a part of your tokens">
        {SELL_PERCENTS.map((value) => (
          <Button
            key={value}
            variant="secondary"
            className="pf-small-button"
            aria-pressed={percent === value}
            onClick={() => {
              onPercent(value);
            }}
          >
            {value === 100 ? 'All (100%)' : `${value}%`}
          </Button>
        ))}
      </div>
    </div>
  );
}

function confirmSentence(quote: Quote): string {
  return quote.side === 'buy'
    ? `Buy ${quote.symbol} with ${formatUnitAmount(quote.you_pay.amount, quote.you_pay.unit)} of play money. You get about ${formatUnitAmount(quote.you_get.amount, quote.you_get.unit)}, and at least ${formatUnitAmount(quote.minimum_received.amount, quote.minimum_received.unit)}.`
    : `Sell ${formatUnitAmount(quote.you_pay.amount, quote.you_pay.unit)}. You get about ${formatUnitAmount(quote.you_get.amount, quote.you_get.unit)} of play money back, and at least ${formatUnitAmount(quote.minimum_received.amount, quote.minimum_received.unit)}.`;
}

function FillSummary({ result }: { result: OrderResult }) {
  const { trade, order } = result;
  if (!trade) {
    return (
      <div className="pf-alert pf-alert--success" role="status" data-testid="order-placed">
        <h3 className="pf-ticket__step-title">Your order is waiting.</h3>
        {order && <p>{order.description}</p>}
        <p className="pf-muted">You can see it, and cancel it, under Waiting orders.</p>
      </div>
    );
  }
  const verb = trade.side === 'buy' ? 'bought' : 'sold';
  return (
    <div className="pf-alert pf-alert--success" role="status" data-testid="trade-done">
      <h3 className="pf-ticket__step-title">
        Done! You {verb} {trade.symbol}.
      </h3>
      <p>
        You paid {formatUnitAmount(trade.amount_in.amount, trade.amount_in.unit)} and got{' '}
        {formatUnitAmount(trade.amount_out.amount, trade.amount_out.unit)}, at {formatPrice(trade.fill_price)} per{' '}
        {trade.symbol} with every cost included.
      </p>
      <p className="pf-muted">
        Pool fee {formatUsd(trade.pool_fee_usd)} · gas {formatUsd(trade.gas_usd)}
        {result.replayed && ' · this was already done, so nothing new was traded'}
      </p>
    </div>
  );
}
