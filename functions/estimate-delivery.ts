/**
 * Workflow task EstimateDelivery: routes store → customer and records the ETA on an order that
 * is OUT_FOR_DELIVERY (guarded, so a late estimate never overwrites a later status).
 */
import { NotFoundError } from '../domain/errors.js';
import type { CoordinatesValue, EstimateSource } from '../domain/order.js';
import { documentClient } from './lib/clients.js';
import { lazyEnv } from './lib/config.js';
import { OrderRepository } from './lib/orders.js';
import { estimateRoute, routingKey } from './lib/routing.js';
import { StoreRepository } from './lib/stores.js';
import { traced } from './lib/tracer.js';

export const ENV = ['ORDERS_TABLE', 'STORES_TABLE', 'ORS_API_KEY_PARAMETER', 'ORS_BASE_URL'] as const;

const env = lazyEnv(ENV);

/**
 * How long a store's pickup coordinates are reused. They are written when the store is created
 * and no operation changes them, so the age bound only covers a row fixed by hand; it saves
 * one DynamoDB read per delivery.
 */
export const STORE_COORDINATES_MAX_AGE_MS = 5 * 60 * 1000;
const storeCoordinates = new Map<string, { readonly coordinates: CoordinatesValue; readonly until: number }>();

async function coordinatesOf(stores: StoreRepository, storeId: string): Promise<CoordinatesValue> {
  const cached = storeCoordinates.get(storeId);
  if (cached !== undefined && cached.until > Date.now()) return cached.coordinates;
  const store = await stores.get(storeId);
  if (store === null) throw new NotFoundError('store', storeId);
  storeCoordinates.set(storeId, { coordinates: store.coordinates, until: Date.now() + STORE_COORDINATES_MAX_AGE_MS });
  return store.coordinates;
}

export interface EstimateResult {
  readonly orderId: string;
  readonly estimateSource: EstimateSource;
  readonly deliveryEstimatedAt: string;
}

function parseEvent(event: unknown): string {
  if (typeof event === 'object' && event !== null && 'orderId' in event && typeof event.orderId === 'string') return event.orderId;
  throw new Error('EstimateDelivery expects { orderId }');
}

export const handler = traced('estimateDelivery', async (event: unknown, log): Promise<EstimateResult> => {
  const orderId = parseEvent(event);
  log.setOrderId(orderId);
  const e = env();
  const doc = documentClient();
  const orders = new OrderRepository(doc, { orders: e.ORDERS_TABLE });
  const order = await orders.get(orderId);
  if (order === null) throw new NotFoundError('order', orderId);
  const from = await coordinatesOf(new StoreRepository(doc, e.STORES_TABLE), order.storeId);
  const estimate = await estimateRoute(from, order.deliveryAddress.coordinates, {
    apiKey: routingKey(e.ORS_API_KEY_PARAMETER),
    baseUrl: e.ORS_BASE_URL,
    fetch: globalThis.fetch,
    log: log.info,
  });
  const now = new Date();
  const deliveryEstimatedAt = new Date(now.getTime() + estimate.durationSeconds * 1000).toISOString();
  await orders.update(
    orderId,
    { deliveryEstimatedAt, deliverySteps: estimate.steps, estimateSource: estimate.source },
    'OUT_FOR_DELIVERY',
    now,
  );
  log.info('delivery estimated', { source: estimate.source, durationSeconds: estimate.durationSeconds });
  return { orderId, estimateSource: estimate.source, deliveryEstimatedAt };
});
