/**
 * The store: its orders, newest first, live; PLACED orders can be accepted or declined.
 * A decision that lost a race (the order timed out, or was cancelled) shows the backend's
 * InvalidTransition error on that order's card and changes nothing.
 */
import { useState } from 'react';
import type { Order } from '../../../generated/graphql.js';
import { ErrorList, LiveIndicator, OrderDetails, OrderId, StatusBadge, StorePicker } from '../components.js';
import { useApi, useAsyncAction, useStoreOrders, useStores } from '../hooks.js';
import { endReason } from '../orders.js';
import { useDefaultStore } from './useDefaultStore.js';

/** `param` (a hash segment) is unused here; the router passes it to every view. */
export function StoreView(_props: { param: string | null }) {
  const { stores, problems: storeProblems } = useStores();
  const [storeId, setStoreId] = useDefaultStore(stores);
  const { orders, live, problems, accept } = useStoreOrders(storeId);
  return (
    <section className="panel" aria-labelledby="store-title">
      <div className="panel-head">
        <h2 id="store-title">Store orders</h2>
        {storeId !== null && <LiveIndicator live={live} />}
      </div>
      <StorePicker id="store-store" stores={stores} failed={storeProblems.length > 0} value={storeId} onChange={setStoreId} />
      <ErrorList problems={[...storeProblems, ...problems]} />
      {orders === null ? (
        <p className="muted">Loading orders…</p>
      ) : orders.length === 0 ? (
        <p className="muted">No orders yet. Place one in the Customer view.</p>
      ) : (
        <ul className="cards" aria-label="Orders">
          {orders.map((order) => (
            <li key={order.orderId}>
              <StoreOrderCard order={order} onUpdated={accept} />
            </li>
          ))}
        </ul>
      )}
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
        storeId: order.storeId,
        decision,
        ...(decision === 'DECLINE' && trimmed !== '' ? { reason: trimmed } : {}),
      }),
    );
    if (updated !== undefined) onUpdated(updated);
  };
  const ended = endReason(order);
  return (
    <article className="card" aria-label={`Order ${order.orderId}`}>
      <header className="card-head">
        <OrderId id={order.orderId} />
        <StatusBadge status={order.status} />
      </header>
      <OrderDetails order={order} />
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
    </article>
  );
}
