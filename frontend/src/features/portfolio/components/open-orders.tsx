import { useId } from 'react';

import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { describeError, type WaitingOrder } from '@/lib/api';
import { formatDate, formatRelativeTime } from '@/lib/format';
import { useNow } from '@/lib/use-now';

import { useCancelOrder, useOrders } from '../api/orders';

const KIND: Record<WaitingOrder['type'], string> = {
  limit: 'Limit',
  stop_loss: 'Stop-loss',
  take_profit: 'Take-profit',
};

const CLOSED: Record<
  Exclude<WaitingOrder['status'], 'open'>,
  { label: string; tone: 'neutral' | 'info' | 'warning' | 'danger' }
> = {
  filled: { label: 'Filled', tone: 'info' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
  expired: { label: 'Expired', tone: 'neutral' },
  failed: { label: 'Did not trade', tone: 'warning' },
};

/** How many finished orders to show under the waiting ones. */
const RECENT_CLOSED = 5;

function OpenOrderRow({ order }: { order: WaitingOrder }) {
  const cancel = useCancelOrder();
  return (
    <li className="pf-order" data-testid="open-order" data-order-id={order.id}>
      <div className="pf-order__top">
        <Badge tone="info">{KIND[order.type]}</Badge>
        <span className="pf-muted pf-order__time">ends {formatDate(order.expires_at)}</span>
      </div>
      <p>{order.description}</p>
      <div className="pf-order__foot">
        {cancel.isError && (
          <span role="alert" className="pf-muted">
            {describeError(cancel.error)}
          </span>
        )}
        <Button
          variant="secondary"
          className="pf-small-button"
          disabled={cancel.isPending}
          aria-label={`Cancel: ${order.description}`}
          onClick={() => {
            cancel.mutate(order.id);
          }}
        >
          {cancel.isPending ? 'Cancelling…' : 'Cancel'}
        </Button>
      </div>
    </li>
  );
}

function ClosedOrderRow({ order, now }: { order: WaitingOrder; now: number }) {
  const status = order.status === 'open' ? null : CLOSED[order.status];
  return (
    <li className="pf-order" data-testid="closed-order" data-status={order.status}>
      <div className="pf-order__top">
        {status && <Badge tone={status.tone}>{status.label}</Badge>}
        <span className="pf-muted pf-order__time">{formatRelativeTime(order.closed_at ?? order.created_at, now)}</span>
      </div>
      <p className="pf-muted">{order.description}</p>
      {order.failure_reason && order.status === 'failed' && <p>{order.failure_reason}</p>}
    </li>
  );
}

/** Limit, stop-loss and take-profit orders waiting for their price (with cancel), then the last few that ended. */
export function OpenOrders() {
  const headingId = useId();
  const orders = useOrders();
  const now = useNow(30_000);
  const items = orders.data ?? [];
  const open = items.filter((order) => order.status === 'open');
  const closed = items.filter((order) => order.status !== 'open').slice(0, RECENT_CLOSED);
  return (
    <section className="pf-section" aria-labelledby={headingId} aria-busy={orders.isPending || undefined}>
      <h2 id={headingId} className="pf-section__title">
        Waiting orders
      </h2>
      {orders.isPending ? (
        <Skeleton height="4rem" radius="var(--radius-md)" />
      ) : orders.isError && !orders.data ? (
        <Card role="alert" className="pf-empty">
          <p>{describeError(orders.error)}</p>
          <Button variant="secondary" onClick={() => void orders.refetch()}>
            Try again
          </Button>
        </Card>
      ) : (
        <>
          {open.length === 0 ? (
            <p className="pf-muted">
              No waiting orders. In a trade, pick Limit, Stop-loss or Take-profit to trade later at a price you choose.
            </p>
          ) : (
            <ul className="pf-list" data-testid="open-orders">
              {open.map((order) => (
                <OpenOrderRow key={order.id} order={order} />
              ))}
            </ul>
          )}
          {closed.length > 0 && (
            <details className="pf-orders__closed">
              <summary>Recently ended ({closed.length})</summary>
              <ul className="pf-list">
                {closed.map((order) => (
                  <ClosedOrderRow key={order.id} order={order} now={now} />
                ))}
              </ul>
            </details>
          )}
        </>
      )}
    </section>
  );
}
