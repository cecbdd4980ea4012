/**
 * The driver: ACCEPTED orders of one store, live, each with a Pick up button, and the orders
 * this driver has out for delivery, each with a Delivered button. Two drivers racing for one order: the loser sees the
 * backend's InvalidTransition error and the order leaves the list for both.
 */
import { useState } from 'react';
import type { Order } from '../../../generated/graphql.js';
import { ErrorList, LiveIndicator, OrderDetails, OrderId, StatusBadge, StorePicker } from '../components.js';
import { useApi, useAsyncAction, useStoreOrders, useStores } from '../hooks.js';
import { formatTime } from '../orders.js';
import type { PizzaApi } from '../api.js';
import { useDefaultStore } from './useDefaultStore.js';

/** `param` (a hash segment) is unused here; the router passes it to every view. */
export function DriverView(_props: { param: string | null }) {
  const { stores, problems: storeProblems } = useStores();
  const [storeId, setStoreId] = useDefaultStore(stores);
  const [driverId, setDriverId] = useState('driver-7');
  const { orders, live, problems, accept } = useStoreOrders(storeId);
  const ready = orders?.filter((o) => o.status === 'ACCEPTED') ?? null;
  const mine = orders?.filter((o) => o.status === 'OUT_FOR_DELIVERY' && o.driverId === driverId) ?? [];
  return (
    <section className="panel" aria-labelledby="driver-title">
      <div className="panel-head">
        <h2 id="driver-title">Driver</h2>
        {storeId !== null && <LiveIndicator live={live} />}
      </div>
      <div className="grid two">
        <div className="field">
          <label htmlFor="driver-id">Driver ID</label>
          <input id="driver-id" value={driverId} required pattern="[A-Za-z0-9_\-]{1,64}" onChange={(e) => setDriverId(e.target.value)} />
        </div>
        <StorePicker id="driver-store" stores={stores} failed={storeProblems.length > 0} value={storeId} onChange={setStoreId} />
      </div>
      <ErrorList problems={[...storeProblems, ...problems]} />
      <h3>Ready for pickup</h3>
      {ready === null ? (
        <p className="muted">Loading orders…</p>
      ) : ready.length === 0 ? (
        <p className="muted">Nothing to pick up. Orders appear here once the store accepts them.</p>
      ) : (
        <ul className="cards" aria-label="Ready for pickup">
          {ready.map((order) => (
            <li key={order.orderId}>
              <DriverActionCard
                order={order}
                note={order.dispatchEstimatedAt !== null ? `Ready around ${formatTime(order.dispatchEstimatedAt)}` : null}
                label="Pick up"
                busyLabel="Picking up…"
                disabled={driverId.trim() === ''}
                run={(api) => api.pickupOrder({ orderId: order.orderId, driverId: driverId.trim() })}
                onUpdated={accept}
              />
            </li>
          ))}
        </ul>
      )}
      <h3>Your deliveries</h3>
      {mine.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <ul className="cards" aria-label="Your deliveries">
          {mine.map((order) => (
            <li key={order.orderId}>
              <DriverActionCard
                order={order}
                note={order.deliveryEstimatedAt !== null ? `Due around ${formatTime(order.deliveryEstimatedAt)}` : null}
                label="Mark delivered"
                busyLabel="Confirming…"
                disabled={false}
                run={(api) => api.completeDelivery({ orderId: order.orderId, driverId: order.driverId ?? driverId.trim() })}
                onUpdated={accept}
              />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** One order with one driver action (pick up, or mark delivered); errors shown on the card. */
function DriverActionCard(props: {
  order: Order;
  note: string | null;
  label: string;
  busyLabel: string;
  disabled: boolean;
  run: (api: PizzaApi) => Promise<Order>;
  onUpdated: (order: Order) => void;
}) {
  const { order } = props;
  const api = useApi();
  const action = useAsyncAction();
  return (
    <article className="card" aria-label={`Order ${order.orderId}`}>
      <header className="card-head">
        <OrderId id={order.orderId} />
        <StatusBadge status={order.status} />
      </header>
      <OrderDetails order={order} />
      {props.note !== null && <p className="small">{props.note}</p>}
      <div className="actions">
        <button
          type="button"
          disabled={action.busy || props.disabled}
          onClick={async () => {
            const updated = await action.run(() => props.run(api));
            if (updated !== undefined) props.onUpdated(updated);
          }}
        >
          {action.busy ? props.busyLabel : props.label}
        </button>
      </div>
      <ErrorList problems={action.problems} />
    </article>
  );
}
