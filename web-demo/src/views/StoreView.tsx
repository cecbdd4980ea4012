/**
 * Store staff: their store's orders (the store comes from who they are: `ordersByStore` and
 * `onOrderUpdated` without a store id), newest first, live; PLACED orders can be accepted or
 * declined. A decision that lost a race (the order timed out, or was cancelled) shows the
 * backend's InvalidTransition error on that order's card and changes nothing.
 */
import { useState } from 'react';
import type { Order } from '../../../generated/graphql.js';
import { ErrorList, LiveIndicator, OrderCard, OrderCards } from '../components.js';
import { useApi, useAsyncAction, useLiveOrders, useStoreName } from '../hooks.js';
import { endReason } from '../orders.js';

export function StoreView({ storeId }: { storeId: string }) {
  const storeName = useStoreName();
  const { orders, live, problems, accept } = useLiveOrders({ key: 'my-store', load: (api) => api.ordersByStore(null), filter: {} });
  return (
    <section className="panel" aria-labelledby="store-title">
      <div className="panel-head">
        <h2 id="store-title">Orders at {storeName(storeId)}</h2>
        <LiveIndicator live={live} />
      </div>
      <ErrorList problems={problems} />
      <OrderCards orders={orders} card={(order) => <StoreOrderCard order={order} onUpdated={accept} />} />
    </section>
  );
}

function StoreOrderCard({ order, onUpdated }: { order: Order; onUpdated: (order: Order) => void }) {
  const api = useApi();
  const action = useAsyncAction();
  const [reason, setReason] = useState('');
  const reasonId = `decline-reason-${order.orderId}`;
  const decide = async (decision: 'ACCEPT' | 'DECLINE') => {
    const trimmed = reason.trim();
    const updated = await action.run(() =>
      api.decideOrder({
        orderId: order.orderId,
        decision,
        ...(decision === 'DECLINE' && trimmed !== '' ? { reason: trimmed } : {}),
      }),
    );
    if (updated !== undefined) onUpdated(updated);
  };
  const ended = endReason(order);
  return (
    <OrderCard order={order}>
      {ended !== null && <p className="notice small">{ended}</p>}
      {order.status === 'PLACED' && (
        <div className="actions">
          <button type="button" disabled={action.busy} onClick={() => void decide('ACCEPT')}>
            Accept
          </button>
          <div className="field inline">
            <label htmlFor={reasonId}>Decline reason</label>
            <input id={reasonId} value={reason} maxLength={280} placeholder="optional" onChange={(e) => setReason(e.target.value)} />
          </div>
          <button type="button" className="danger" disabled={action.busy} onClick={() => void decide('DECLINE')}>
            Decline
          </button>
        </div>
      )}
      <ErrorList problems={action.problems} />
    </OrderCard>
  );
}
