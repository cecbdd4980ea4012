/**
 * An operator: runs the stores (create, open and close, assign staff), reads the business
 * metrics, and watches any store's orders live with the workflow drawing. Operators decide, pick
 * up and deliver nothing; the API refuses those to them.
 */
import { ErrorList, LiveIndicator, OrderCard, OrderCards, StorePicker } from '../components.js';
import { useLiveOrders, useStoreList } from '../hooks.js';
import { endReason } from '../orders.js';
import { OrderWorkflow } from '../OrderWorkflow.js';
import { MetricsPanel } from './MetricsPanel.js';
import { StoresPanel } from './StoresPanel.js';
import { useDefaultStore } from './useDefaultStore.js';

export function OperatorView() {
  const stores = useStoreList();
  const [storeId, setStoreId] = useDefaultStore(stores);
  return (
    <div className="columns">
      <StoresPanel />
      <MetricsPanel />
      <section className="panel" aria-labelledby="operator-title">
        <h2 id="operator-title">Orders by store</h2>
        <StorePicker id="operator-store" stores={stores} value={storeId} onChange={setStoreId} />
        {storeId !== null && <StoreOrders key={storeId} storeId={storeId} />}
      </section>
    </div>
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
      <OrderWorkflow orders={orders} />
      <OrderCards
        orders={orders}
        card={(order) => (
          <OrderCard order={order}>{endReason(order) !== null && <p className="notice small">{endReason(order)}</p>}</OrderCard>
        )}
      />
    </>
  );
}
