/**
 * A driver: the orders stores accepted that wait for a driver (`ordersForPickup`), each with a
 * Pick up button, and this driver's deliveries, each with Mark delivered. The driver is who is
 * signed in, never an input. `onOrderUpdated` without arguments brings offers and this driver's
 * own deliveries; another driver's pickup brings this driver no event, so the offer list is
 * re-read on every event (and a lost race shows InvalidTransition on the card).
 * The API has no "my deliveries" query, so the ids this driver picked up are remembered in
 * localStorage and looked up again after a reload.
 */
import { useCallback, useEffect } from 'react';
import type { Order } from '../../../generated/graphql.js';
import { ErrorList, LiveIndicator, OrderCard } from '../components.js';
import { useApi, useAsyncAction, useLiveOrders, useSession } from '../hooks.js';
import { formatTime } from '../orders.js';
import type { PizzaApi } from '../api.js';

const deliveriesKey = (driverId: string) => `serverless-pizza.deliveries.${driverId}`;

function rememberedDeliveries(driverId: string): string[] {
  try {
    const raw: unknown = JSON.parse(globalThis.localStorage?.getItem(deliveriesKey(driverId)) ?? '[]');
    return Array.isArray(raw) ? raw.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

function storeDeliveries(driverId: string, ids: readonly string[]): void {
  try {
    globalThis.localStorage?.setItem(deliveriesKey(driverId), JSON.stringify(ids));
  } catch {
    // Storage may be disabled; deliveries then show until the page is reloaded.
  }
}

export function DriverView() {
  const api = useApi();
  const { sub } = useSession();
  const { orders, listed, live, problems, accept } = useLiveOrders({
    key: 'pickup',
    load: (a) => a.ordersForPickup(),
    filter: {},
    reloadOnEvent: true,
  });
  // Deliveries picked up before a reload: looked up again; delivered ones are forgotten.
  useEffect(() => {
    let active = true;
    const ids = rememberedDeliveries(sub);
    void Promise.all(ids.map((id) => api.getOrder(id).catch(() => null))).then((found) => {
      if (!active) return;
      const open = found.filter((o): o is Order => o !== null && o.driverId === sub && o.status === 'OUT_FOR_DELIVERY');
      open.forEach((o) => accept(o));
      // Re-read the list: a pickup made while the lookups ran is kept.
      const closed = new Set(ids.filter((id) => !open.some((o) => o.orderId === id)));
      storeDeliveries(
        sub,
        rememberedDeliveries(sub).filter((id) => !closed.has(id)),
      );
    });
    return () => {
      active = false;
    };
  }, [api, sub, accept]);
  const pickedUp = useCallback(
    (order: Order) => {
      accept(order);
      if (order.driverId === sub) storeDeliveries(sub, [...new Set([...rememberedDeliveries(sub), order.orderId])]);
    },
    [accept, sub],
  );
  const ready = orders?.filter((o) => o.status === 'ACCEPTED' && listed.has(o.orderId)) ?? null;
  const mine = orders?.filter((o) => o.driverId === sub && o.status === 'OUT_FOR_DELIVERY') ?? [];
  return (
    <section className="panel" aria-labelledby="driver-title">
      <div className="panel-head">
        <h2 id="driver-title">Deliveries</h2>
        <LiveIndicator live={live} />
      </div>
      <ErrorList problems={problems} />
      <h3>Ready for pickup</h3>
      {ready === null ? (
        <p className="muted">Loading orders…</p>
      ) : ready.length === 0 ? (
        <p className="muted">Nothing to pick up. Orders appear here once a store accepts them.</p>
      ) : (
        <ul className="cards" aria-label="Ready for pickup">
          {ready.map((order) => (
            <li key={order.orderId}>
              <DriverActionCard
                order={order}
                note={order.dispatchEstimatedAt !== null ? `Ready around ${formatTime(order.dispatchEstimatedAt)}` : null}
                label="Pick up"
                busyLabel="Picking up…"
                run={(a) => a.pickupOrder({ orderId: order.orderId })}
                onUpdated={pickedUp}
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
                run={(a) => a.completeDelivery({ orderId: order.orderId })}
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
  run: (api: PizzaApi) => Promise<Order>;
  onUpdated: (order: Order) => void;
}) {
  const { order } = props;
  const api = useApi();
  const action = useAsyncAction();
  return (
    <OrderCard order={order}>
      {props.note !== null && <p className="small">{props.note}</p>}
      <div className="actions">
        <button
          type="button"
          disabled={action.busy}
          onClick={async () => {
            const updated = await action.run(() => props.run(api));
            if (updated !== undefined) props.onUpdated(updated);
          }}
        >
          {action.busy ? props.busyLabel : props.label}
        </button>
      </div>
      <ErrorList problems={action.problems} />
    </OrderCard>
  );
}
