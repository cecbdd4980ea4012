/**
 * The signed-in customer: build an order, place it (idempotently), and follow their orders live.
 * One subscription (`onOrderUpdated` with no arguments: the server narrows it to this customer's
 * orders) keeps both "My orders" and the tracker current. The idempotency key belongs to the
 * order form: every submit of the same form (a retry after a network error, a double click)
 * sends the same key, so the backend returns the same order; only starting a new order mints a
 * new key. Closed stores are listed but cannot be picked; a store closed since the list was read
 * refuses the order (StoreClosed), which is shown, and the list is read again.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { CheeseAmount, Order, PieInput, PieSize, Topping } from '../../../generated/graphql.js';
import { ErrorList, LiveIndicator, OrderDetails, OrderNumber, StatusBadge, StorePicker } from '../components.js';
import { describeError, type ApiProblem } from '../errors.js';
import { useApi, useAsyncAction, useLiveOrders, useStoreList, useStoreListActions, useStoreName, type LiveOrders } from '../hooks.js';
import { useDefaultStore } from './useDefaultStore.js';
import {
  CHEESE_AMOUNTS,
  CHEESE_LABELS,
  ESTIMATE_SOURCE_LABELS,
  PIE_SIZES,
  PIE_SIZE_LABELS,
  STATUS_LABELS,
  TOPPINGS,
  TOPPING_LABELS,
  endReason,
  formatTime,
  newIdempotencyKey,
  timelineOf,
  parseCoordinateFields,
} from '../orders.js';

/** A delivery address in Calgary's Beltline, a few minutes from the seed store. */
const DEFAULT_ADDRESS = {
  streetAddress: '1010 17 Ave SW',
  city: 'Calgary',
  postalCode: 'T2T 0A7',
  province: 'AB',
  latitude: '51.0379',
  longitude: '-114.0856',
};

const DEFAULT_PIE: PieInput = { size: 'LARGE', cheese: 'MEDIUM', toppings: ['PEPPERONI'] };

/**
 * `param` is the tracked order's id (#/customer/<orderId>), so a reload or a shared link
 * reopens the tracker; without it the view shows the order form.
 */
export function CustomerView({ param }: { param: string | null }) {
  const mine = useLiveOrders({ key: 'my-orders', load: (api) => api.myOrders(), filter: {} });
  // Remounting the form (new key) gives a fresh form and a fresh idempotency key.
  const [formKey, setFormKey] = useState(0);
  const newOrder = () => {
    setFormKey((k) => k + 1);
    window.location.hash = '#/customer';
  };
  return (
    <div className="columns">
      {param !== null ? (
        <OrderTracker key={param} orderId={param} mine={mine} onNewOrder={newOrder} />
      ) : (
        <OrderForm
          key={formKey}
          onPlaced={(order) => {
            mine.accept(order);
            window.location.hash = `#/customer/${encodeURIComponent(order.orderId)}`;
          }}
        />
      )}
      <MyOrders mine={mine} current={param} />
    </div>
  );
}

function MyOrders({ mine, current }: { mine: LiveOrders; current: string | null }) {
  const storeName = useStoreName();
  return (
    <section className="panel" aria-labelledby="my-orders-title">
      <div className="panel-head">
        <h2 id="my-orders-title">My orders</h2>
        <LiveIndicator live={mine.live} />
      </div>
      <ErrorList problems={mine.problems} />
      {mine.orders === null ? (
        <p className="muted">Loading your orders…</p>
      ) : mine.orders.length === 0 ? (
        <p className="muted">No orders yet.</p>
      ) : (
        <ul className="order-list" aria-label="My orders">
          {mine.orders.map((order) => (
            <li key={order.orderId} aria-current={order.orderId === current ? 'true' : undefined}>
              <a href={`#/customer/${encodeURIComponent(order.orderId)}`}>
                <OrderNumber id={order.orderId} />
              </a>{' '}
              <StatusBadge status={order.status} /> <span className="muted small">{storeName(order.storeId)}</span>{' '}
              <span className="muted small">{formatTime(order.createdAt)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function OrderForm({ onPlaced }: { onPlaced: (order: Order) => void }) {
  const api = useApi();
  const stores = useStoreList();
  const { reload: reloadStores } = useStoreListActions();
  const [storeId, setStoreId] = useDefaultStore(stores, true);
  const picked = stores?.find((s) => s.storeId === storeId) ?? null;
  /** The picked store, when it is closed (the list was re-read after a StoreClosed refusal). */
  const closed = picked !== null && !picked.open ? picked : null;
  const [pies, setPies] = useState<PieInput[]>([DEFAULT_PIE]);
  const [address, setAddress] = useState(DEFAULT_ADDRESS);
  const [paymentId, setPaymentId] = useState('demo-card-4242');
  const [idempotencyKey] = useState(newIdempotencyKey);
  const [formError, setFormError] = useState<string | null>(null);
  const action = useAsyncAction();

  const setPie = (index: number, pie: PieInput) => setPies((list) => list.map((p, i) => (i === index ? pie : p)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(null);
    if (storeId === null) return setFormError('Pick a store.');
    const coordinates = parseCoordinateFields(address);
    if (coordinates === null) return setFormError('Latitude and longitude must be numbers.');
    const order = await action.run(() =>
      api.placeOrder({
        storeId,
        paymentId,
        pies,
        idempotencyKey,
        deliveryAddress: {
          streetAddress: address.streetAddress,
          city: address.city,
          postalCode: address.postalCode,
          province: address.province,
          coordinates,
        },
      }),
    );
    if (order !== undefined) onPlaced(order);
  };
  // The store closed after the list was read: the picker learns it from a fresh list.
  const storeClosed = action.problems.some((p) => p.errorType === 'StoreClosed');
  useEffect(() => {
    if (storeClosed) reloadStores();
  }, [storeClosed, reloadStores]);

  const addressField = (name: keyof typeof DEFAULT_ADDRESS, label: string, inputMode?: 'decimal') => (
    <div className="field">
      <label htmlFor={`address-${name}`}>{label}</label>
      <input
        id={`address-${name}`}
        value={address[name]}
        inputMode={inputMode}
        required
        onChange={(e) => setAddress((a) => ({ ...a, [name]: e.target.value }))}
      />
    </div>
  );

  return (
    <section className="panel" aria-labelledby="order-form-title">
      <h2 id="order-form-title">Build your order</h2>
      <form onSubmit={submit}>
        <StorePicker id="customer-store" stores={stores} value={storeId} onChange={setStoreId} openOnly />
        {closed !== null && <p className="notice">{closed.name} is closed and takes no new orders: pick another store.</p>}
        {pies.map((pie, i) => (
          <PieEditor
            key={i}
            index={i}
            pie={pie}
            onChange={(p) => setPie(i, p)}
            onRemove={pies.length > 1 ? () => setPies((list) => list.filter((_, j) => j !== i)) : undefined}
          />
        ))}
        <button type="button" className="secondary" onClick={() => setPies((list) => [...list, DEFAULT_PIE])} disabled={pies.length >= 20}>
          Add another pie
        </button>
        <fieldset>
          <legend>Delivery address</legend>
          <div className="grid">
            {addressField('streetAddress', 'Street address')}
            {addressField('city', 'City')}
            {addressField('postalCode', 'Postal code')}
            {addressField('province', 'Province')}
            {addressField('latitude', 'Latitude', 'decimal')}
            {addressField('longitude', 'Longitude', 'decimal')}
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor="payment-id">Payment ID</label>
          <input id="payment-id" value={paymentId} required onChange={(e) => setPaymentId(e.target.value)} />
        </div>
        <p className="muted small">
          Idempotency key <code>{idempotencyKey}</code>: retrying this form sends the same key, so it can never place two orders.
        </p>
        {formError !== null && (
          <div className="errors" role="alert">
            <p>{formError}</p>
          </div>
        )}
        <ErrorList problems={action.problems} />
        <button type="submit" disabled={action.busy || storeId === null || closed !== null}>
          {action.busy ? 'Placing order…' : action.problems.length > 0 ? 'Retry placing order' : 'Place order'}
        </button>
      </form>
    </section>
  );
}

function PieEditor({
  index,
  pie,
  onChange,
  onRemove,
}: {
  index: number;
  pie: PieInput;
  onChange: (pie: PieInput) => void;
  onRemove: (() => void) | undefined;
}) {
  const id = useId();
  const toggle = (topping: Topping) =>
    onChange({ ...pie, toppings: pie.toppings.includes(topping) ? pie.toppings.filter((t) => t !== topping) : [...pie.toppings, topping] });
  return (
    <fieldset className="pie">
      <legend>Pie {index + 1}</legend>
      <div className="grid">
        <div className="field">
          <label htmlFor={`${id}-size`}>Size</label>
          <select
            id={`${id}-size`}
            value={pie.size}
            onChange={(e) => onChange({ ...pie, size: PIE_SIZES.find((s) => s === e.target.value) ?? pie.size })}
          >
            {PIE_SIZES.map((s: PieSize) => (
              <option key={s} value={s}>
                {PIE_SIZE_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-cheese`}>Cheese</label>
          <select
            id={`${id}-cheese`}
            value={pie.cheese}
            onChange={(e) => onChange({ ...pie, cheese: CHEESE_AMOUNTS.find((c) => c === e.target.value) ?? pie.cheese })}
          >
            {CHEESE_AMOUNTS.map((c: CheeseAmount) => (
              <option key={c} value={c}>
                {CHEESE_LABELS[c]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <fieldset className="toppings">
        <legend>Toppings</legend>
        {TOPPINGS.map((t) => (
          <label key={t} className="check">
            <input type="checkbox" checked={pie.toppings.includes(t)} onChange={() => toggle(t)} />
            {TOPPING_LABELS[t]}
          </label>
        ))}
      </fieldset>
      {onRemove !== undefined && (
        <button type="button" className="secondary" onClick={onRemove}>
          Remove pie {index + 1}
        </button>
      )}
    </fieldset>
  );
}

/**
 * One of the customer's orders, from the live list. An order the list does not hold (older than
 * the first page, or another customer's: the API answers both the same) is looked up once.
 */
function OrderTracker({ orderId, mine, onNewOrder }: { orderId: string; mine: LiveOrders; onNewOrder: () => void }) {
  const api = useApi();
  const order = mine.orders?.find((o) => o.orderId === orderId) ?? null;
  const [missing, setMissing] = useState(false);
  const [problems, setProblems] = useState<readonly ApiProblem[]>([]);
  const loaded = mine.orders !== null;
  const { accept } = mine;
  useEffect(() => {
    if (!loaded || order !== null) return;
    let active = true;
    api.getOrder(orderId).then(
      (found) => active && (found === null ? setMissing(true) : accept(found)),
      (error: unknown) => active && setProblems(describeError(error)),
    );
    return () => {
      active = false;
    };
    // `order` is left out on purpose: looked up once, when the loaded list turns out not to hold it.
  }, [api, orderId, loaded, accept]);
  if (order === null) {
    return (
      <section className="panel" aria-labelledby="tracker-title">
        <h2 id="tracker-title">Your order</h2>
        <ErrorList problems={problems} />
        {missing ? <p>You have no order with that number.</p> : problems.length === 0 && <p className="muted">Loading order…</p>}
        <button type="button" className="secondary" onClick={onNewOrder}>
          Start a new order
        </button>
      </section>
    );
  }
  return <OrderStatusPanel order={order} live={mine} onNewOrder={onNewOrder} />;
}

function OrderStatusPanel({ order, live: list, onNewOrder }: { order: Order; live: LiveOrders; onNewOrder: () => void }) {
  const api = useApi();
  const storeName = useStoreName();
  const cancel = useAsyncAction();
  const { accept } = list;
  const reason = endReason(order);
  const final = order.status === 'DECLINED' || order.status === 'CANCELLED' || order.status === 'DELIVERED';
  return (
    <section className="panel" aria-labelledby="tracker-title">
      <div className="panel-head">
        <h2 id="tracker-title">Your order</h2>
        <LiveIndicator live={list.live} />
      </div>
      <p>
        Order <OrderNumber id={order.orderId} /> from {storeName(order.storeId)} · status <StatusBadge status={order.status} />{' '}
        <span className="muted small">
          ({STATUS_LABELS[order.status]}, version {order.version})
        </span>
      </p>
      <ol className="timeline" aria-label="Order progress">
        {timelineOf(order).map((step) => (
          <li key={step.status} className={`step step-${step.state}`} aria-current={step.state === 'current' ? 'step' : undefined}>
            <span className="step-label">{step.label}</span>
            {step.at !== null && <span className="step-time">{formatTime(step.at)}</span>}
          </li>
        ))}
      </ol>
      {reason !== null && <p className="notice">{reason}</p>}
      {(order.dispatchEstimatedAt !== null || order.deliveryEstimatedAt !== null) && (
        <dl className="eta">
          {order.pickedUpAt !== null ? (
            <>
              <dt>Left the store</dt>
              <dd>at {formatTime(order.pickedUpAt)}</dd>
            </>
          ) : (
            order.dispatchEstimatedAt !== null && (
              <>
                <dt>Leaves the store</dt>
                <dd>around {formatTime(order.dispatchEstimatedAt)}</dd>
              </>
            )
          )}
          {order.deliveryEstimatedAt !== null && (
            <>
              <dt>Estimated arrival</dt>
              <dd>around {formatTime(order.deliveryEstimatedAt)}</dd>
            </>
          )}
          {order.estimateSource !== null && (
            <>
              <dt>Estimate from</dt>
              <dd>{ESTIMATE_SOURCE_LABELS[order.estimateSource]}</dd>
            </>
          )}
        </dl>
      )}
      {order.deliverySteps !== null && order.deliverySteps.length > 0 && (
        <details>
          <summary>
            Route ({order.deliverySteps.length} {order.deliverySteps.length === 1 ? 'step' : 'steps'})
          </summary>
          <ol className="route">
            {order.deliverySteps.map((s, i) => (
              <li key={i}>
                {s.instruction}{' '}
                <span className="muted small">
                  ({Math.round(s.distance)} m, {Math.round(s.duration / 60)} min)
                </span>
              </li>
            ))}
          </ol>
        </details>
      )}
      <OrderDetails order={order} />
      <ErrorList problems={cancel.problems} />
      <div className="actions">
        {order.status === 'PLACED' && (
          <button
            type="button"
            className="danger"
            disabled={cancel.busy}
            onClick={async () => {
              const updated = await cancel.run(() => api.cancelOrder({ orderId: order.orderId }));
              if (updated !== undefined) accept(updated);
            }}
          >
            {cancel.busy ? 'Cancelling…' : 'Cancel order'}
          </button>
        )}
        <button type="button" className="secondary" onClick={onNewOrder}>
          {final ? 'Place another order' : 'Start a new order'}
        </button>
      </div>
    </section>
  );
}
