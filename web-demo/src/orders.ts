/**
 * Pure order helpers shared by the views: merging live events by version, the status timeline,
 * labels, idempotency keys, and coordinates typed into a form. No React and no network here, so
 * they are easy to test.
 */
import type {
  CancellationReason,
  CheeseAmount,
  CoordinatesInput,
  EstimateSource,
  Order,
  OrderStatus,
  PieSize,
  Topping,
} from '../../generated/graphql.js';

export const PIE_SIZE_LABELS: Readonly<Record<PieSize, string>> = { SMALL: 'Small', MEDIUM: 'Medium', LARGE: 'Large' };
export const CHEESE_LABELS: Readonly<Record<CheeseAmount, string>> = { SMALL: 'Light', MEDIUM: 'Regular', LARGE: 'Extra' };
export const TOPPING_LABELS: Readonly<Record<Topping, string>> = {
  PEPPERONI: 'Pepperoni',
  HAM: 'Ham',
  ITALIAN_SAUSAGE: 'Italian sausage',
  BBQ_CHICKEN: 'BBQ chicken',
  BACON: 'Bacon',
  GREEN_PEPPER: 'Green pepper',
  MUSHROOM: 'Mushroom',
  ONION: 'Onion',
  OLIVE: 'Olive',
};
export const STATUS_LABELS: Readonly<Record<OrderStatus, string>> = {
  PLACED: 'Placed',
  ACCEPTED: 'Accepted',
  DECLINED: 'Declined',
  OUT_FOR_DELIVERY: 'Out for delivery',
  DELIVERED: 'Delivered',
  CANCELLED: 'Cancelled',
};
export const CANCELLATION_LABELS: Readonly<Record<CancellationReason, string>> = {
  CUSTOMER_CANCELLED: 'the customer cancelled before the store accepted',
  STORE_TIMEOUT: 'the store did not answer in time',
  PICKUP_TIMEOUT: 'no driver picked the order up in time',
};
export const ESTIMATE_SOURCE_LABELS: Readonly<Record<EstimateSource, string>> = {
  ROUTING_SERVICE: 'driving directions (openrouteservice)',
  STRAIGHT_LINE: 'straight-line estimate (routing service unavailable)',
};

export const PIE_SIZES = Object.keys(PIE_SIZE_LABELS) as PieSize[];
export const CHEESE_AMOUNTS = Object.keys(CHEESE_LABELS) as CheeseAmount[];
export const TOPPINGS = Object.keys(TOPPING_LABELS) as Topping[];
const STATUSES = Object.keys(STATUS_LABELS) as OrderStatus[];

/**
 * True when `incoming` should replace `current`: a different order never does, and the same
 * order only with a higher version (events can arrive twice, or after a fresher query result).
 */
export function isNewer(current: Order | null | undefined, incoming: Order): boolean {
  if (current === null || current === undefined) return true;
  return current.orderId === incoming.orderId && incoming.version > current.version;
}

/** `orders` with `incoming` merged in by version; newest order first. Returns `orders` itself when nothing changed. */
export function mergeOrder(orders: readonly Order[], incoming: Order): readonly Order[] {
  const index = orders.findIndex((o) => o.orderId === incoming.orderId);
  if (index === -1) return sortNewestFirst([...orders, incoming]);
  if (!isNewer(orders[index], incoming)) return orders;
  const next = [...orders];
  next[index] = incoming;
  return next;
}

/** Merges a whole query result (e.g. after reconnecting) the same way as single events. */
export function mergeOrders(orders: readonly Order[], incoming: readonly Order[]): readonly Order[] {
  return incoming.reduce<readonly Order[]>((acc, order) => mergeOrder(acc, order), orders);
}

function sortNewestFirst(orders: Order[]): Order[] {
  return orders.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.orderId < b.orderId ? 1 : -1));
}

/**
 * A cheap shape check for subscription payloads before they reach state: the merge logic relies
 * on `orderId`, `version` and `status`, and a null `onOrderUpdated` is legal in the schema.
 */
export function isOrder(value: unknown): value is Order {
  if (typeof value !== 'object' || value === null) return false;
  const o: Record<string, unknown> = { ...value };
  return (
    typeof o.orderId === 'string' &&
    typeof o.storeId === 'string' &&
    typeof o.version === 'number' &&
    typeof o.status === 'string' &&
    (STATUSES as string[]).includes(o.status) &&
    Array.isArray(o.pies)
  );
}

export type StepState = 'done' | 'current' | 'upcoming' | 'failed';

export interface TimelineStep {
  readonly status: OrderStatus;
  readonly label: string;
  readonly at: string | null;
  readonly state: StepState;
}

/**
 * The happy path PLACED → ACCEPTED → OUT_FOR_DELIVERY → DELIVERED, with the current step
 * marked; a DECLINED or CANCELLED order ends the path at the step where it stopped.
 */
export function timelineOf(order: Order): TimelineStep[] {
  const happy: { status: OrderStatus; at: string | null }[] = [
    { status: 'PLACED', at: order.createdAt },
    { status: 'ACCEPTED', at: order.acceptedAt },
    { status: 'OUT_FOR_DELIVERY', at: order.pickedUpAt },
    { status: 'DELIVERED', at: order.deliveredAt },
  ];
  if (order.status === 'DECLINED' || order.status === 'CANCELLED') {
    const reached = happy.filter((s) => s.status === 'PLACED' || s.at !== null);
    const end = { status: order.status, at: order.status === 'DECLINED' ? order.declinedAt : order.cancelledAt };
    return [
      ...reached.map((s) => ({ ...s, label: STATUS_LABELS[s.status], state: 'done' as const })),
      { ...end, label: STATUS_LABELS[end.status], state: 'failed' as const },
    ];
  }
  const currentIndex = happy.findIndex((s) => s.status === order.status);
  return happy.map((s, i) => ({
    ...s,
    label: STATUS_LABELS[s.status],
    state: i < currentIndex ? 'done' : i === currentIndex ? 'current' : 'upcoming',
  }));
}

/** "Large pie, regular cheese: pepperoni, mushroom". */
export function describePie(pie: Order['pies'][number]): string {
  const head = `${PIE_SIZE_LABELS[pie.size]} pie, ${CHEESE_LABELS[pie.cheese].toLowerCase()} cheese`;
  return pie.toppings.length === 0 ? head : `${head}: ${pie.toppings.map((t) => TOPPING_LABELS[t].toLowerCase()).join(', ')}`;
}

/** Why an order ended early, in words, or null when it did not. */
export function endReason(order: Order): string | null {
  if (order.status === 'DECLINED')
    return order.declineReason === null ? 'The store declined.' : `The store declined: ${order.declineReason}`;
  if (order.status === 'CANCELLED') {
    return order.cancellationReason === null ? 'Cancelled.' : `Cancelled: ${CANCELLATION_LABELS[order.cancellationReason]}.`;
  }
  return null;
}

/**
 * A fresh idempotency key (8–64 chars of [A-Za-z0-9_-]). `crypto.randomUUID` needs a secure
 * context; loopback is one, but a LAN address over http is not, hence the fallback.
 */
export function newIdempotencyKey(cryptoImpl: Pick<Crypto, 'getRandomValues'> & Partial<Pick<Crypto, 'randomUUID'>> = crypto): string {
  if (typeof cryptoImpl.randomUUID === 'function') return cryptoImpl.randomUUID();
  const bytes = cryptoImpl.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The order number people read and say: "#" and the first six characters of the id (a UUID),
 * upper-cased, e.g. "#3F2A1C". Unique enough to tell a screen's orders apart; the full id stays
 * in the element's title.
 */
export function orderNumber(orderId: string): string {
  return `#${orderId.replaceAll('-', '').slice(0, 6).toUpperCase()}`;
}

/** Who a user id is, from the signed-in user's point of view: "you", or `someone` ("a driver"). */
export function personLabel(userId: string | null, me: string, someone: string): string | null {
  if (userId === null) return null;
  return userId === me ? 'you' : someone;
}

export function formatTime(iso: string | null): string {
  if (iso === null) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** What a form shows for a place: the two text fields. */
export interface CoordinateFields {
  readonly latitude: string;
  readonly longitude: string;
}

/** The form's coordinates as numbers, or null when either field is blank or not a number (the API checks the ranges). */
export function parseCoordinateFields(fields: CoordinateFields): CoordinatesInput | null {
  const latitude = Number(fields.latitude);
  const longitude = Number(fields.longitude);
  const blank = fields.latitude.trim() === '' || fields.longitude.trim() === '';
  return blank || !Number.isFinite(latitude) || !Number.isFinite(longitude) ? null : { latitude, longitude };
}
