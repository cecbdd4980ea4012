/**
 * An operator: any store's orders, live, read only (operators see everything but decide, pick
 * up and deliver nothing; the API refuses those to them).
 */
import { ErrorList, LiveIndicator, OrderDetails, OrderNumber, StatusBadge, StorePicker } from '../components.js';
import { useLiveOrders, useStoreList } from '../hooks.js';
import { endReason, orderNumber } from '../orders.js';
import { useDefaultStore } from './useDefaultStore.js';

export function OperatorView() {
  const stores = useStoreList();
  const [storeId, setStoreId] = useDefaultStore(stores);
  return (
    <section className="panel" aria-labelledby="operator-title">
      <h2 id="operator-title">All stores</h2>
      <StorePicker id="operator-store" stores={stores} value={storeId} onChange={setStoreId} />
      {storeId !== null && <StoreOrders key={storeId} storeId={storeId} />}
    </section>
  );
}

function StoreOrders({ storeId }: { storeId: string }) {
  const { orders, live, problems } = useLiveOrders({
    key: `store:${storeId}`,
    load: (api) => api.ordersByStore(storeId),
    filter: { storeId },
  });
  return (
    <>
      <LiveIndicator live={live} />
      <ErrorList problems={problems} />
      {orders === null ? (
        <p className="muted">Loading orders…</p>
      ) : orders.length === 0 ? (
        <p className="muted">No orders yet.</p>
      ) : (
        <ul className="cards" aria-label="Orders">
          {orders.map((order) => (
            <li key={order.orderId}>
              <article className="card" aria-label={`Order ${orderNumber(order.orderId)}`}>
                <header className="card-head">
                  <OrderNumber id={order.orderId} />
                  <StatusBadge status={order.status} />
                </header>
                <OrderDetails order={order} />
                {endReason(order) !== null && <p className="notice small">{endReason(order)}</p>}
              </article>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
