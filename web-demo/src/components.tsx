/** Small presentational pieces shared by the views. */
import type { ReactNode } from 'react';
import type { Order, OrderStatus, Store } from '../../generated/graphql.js';
import type { ApiProblem } from './errors.js';
import { useSession, useStoreName, type LiveState } from './hooks.js';
import { describePie, formatTime, orderNumber, personLabel } from './orders.js';

export function ErrorList({ problems }: { problems: readonly ApiProblem[] }) {
  if (problems.length === 0) return null;
  return (
    <div className="errors" role="alert">
      {problems.map((p, i) => (
        <p key={i}>
          {p.errorType !== null && <strong className="error-type">{p.errorType}</strong>}
          {p.errorType !== null && ': '}
          {p.message}
        </p>
      ))}
    </div>
  );
}

/** For tests and screen readers alike: the text says whether updates are flowing. */
export function LiveIndicator({ live }: { live: LiveState }) {
  const text = live === 'live' ? 'Live updates on' : live === 'connecting' ? 'Connecting to live updates…' : 'Live updates failed';
  return (
    <span className={`live live-${live}`} role="status">
      {text}
    </span>
  );
}

export function StatusBadge({ status }: { status: OrderStatus }) {
  return <span className={`badge badge-${status.toLowerCase().replaceAll('_', '-')}`}>{status}</span>;
}

/** A store's name, with "(closed)" when it takes no new orders. */
export function storeLabel(store: Store): string {
  return store.open ? store.name : `${store.name} (closed)`;
}

export function StorePicker({
  stores,
  value,
  onChange,
  id,
  label = 'Store',
  failed = false,
  openOnly = false,
}: {
  stores: readonly Store[] | null;
  /** The store list could not be loaded (the error is shown elsewhere). */
  failed?: boolean;
  value: string | null;
  onChange: (storeId: string) => void;
  id: string;
  /** @default 'Store' */
  label?: string;
  /** Closed stores are shown but cannot be picked (a new order needs an open store). */
  openOnly?: boolean;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} disabled={stores === null} onChange={(e) => onChange(e.target.value)}>
        {stores === null && <option value="">{failed ? 'Stores unavailable' : 'Loading stores…'}</option>}
        {stores?.map((s) => (
          <option key={s.storeId} value={s.storeId} disabled={openOnly && !s.open}>
            {storeLabel(s)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Pies, address, store and driver, each by name ("you" for the signed-in user). */
export function OrderDetails({ order }: { order: Order }) {
  const { sub } = useSession();
  const storeName = useStoreName();
  const a = order.deliveryAddress;
  const driver = personLabel(order.driverId, sub, 'a driver');
  const customer = personLabel(order.customerId, sub, 'a customer');
  return (
    <div className="order-details">
      <ul className="pies">
        {order.pies.map((pie, i) => (
          <li key={i}>{describePie(pie)}</li>
        ))}
      </ul>
      <p className="muted">
        From {storeName(order.storeId)} for {customer} · deliver to {a.streetAddress}, {a.city} {a.postalCode}, {a.province} · placed{' '}
        {formatTime(order.createdAt)}
        {driver !== null && ` · driver: ${driver}`}
      </p>
    </div>
  );
}

/** The short order number, with the full id in the title (hover, or a screen reader's description). */
export function OrderNumber({ id }: { id: string }) {
  return (
    <strong className="order-number" title={`Order id ${id}`}>
      {orderNumber(id)}
    </strong>
  );
}

/** One order as a card: its number and status, its details, then whatever the view adds. */
export function OrderCard({ order, children }: { order: Order; children?: ReactNode }) {
  return (
    <article className="card" aria-label={`Order ${orderNumber(order.orderId)}`}>
      <header className="card-head">
        <OrderNumber id={order.orderId} />
        <StatusBadge status={order.status} />
      </header>
      <OrderDetails order={order} />
      {children}
    </article>
  );
}

/** A list of order cards, or "Loading orders…" (null) and "No orders yet." (empty). */
export function OrderCards({ orders, card }: { orders: readonly Order[] | null; card: (order: Order) => ReactNode }) {
  if (orders === null) return <p className="muted">Loading orders…</p>;
  if (orders.length === 0) return <p className="muted">No orders yet.</p>;
  return (
    <ul className="cards" aria-label="Orders">
      {orders.map((order) => (
        <li key={order.orderId}>{card(order)}</li>
      ))}
    </ul>
  );
}
