/**
 * Workflow task AwaitDelivery (lambda:invoke.waitForTaskToken), entered once the driver has the
 * order: estimates the route store → customer (openrouteservice, or the labelled straight-line
 * estimate: functions/lib/routing.ts) and, in one write guarded on OUT_FOR_DELIVERY, records the
 * ETA and stores the task token completeDelivery resumes. The ETA is a version of its own after
 * the pickup's, so subscribers see it arrive. If the order has already moved on (delivered
 * meanwhile), the task resumes the workflow itself (functions/lib/task-wait.ts).
 *
 * The workflow passes the store and the destination (its execution input), so the order is not
 * read. An estimate that cannot be made (the store's coordinates unreadable) is logged as an error
 * and the wait goes on without one: the estimate is a nicety, the wait is not.
 */
import { NotFoundError } from '../domain/errors.js';
import type { DeliveryEstimate } from '../domain/eta.js';
import type { CoordinatesValue, EstimateSource } from '../domain/order.js';
import { parseCoordinates } from '../domain/validation.js';
import { documentClient, sfnClient } from './lib/clients.js';
import { lazyEnv } from './lib/config.js';
import { OrderRepository } from './lib/orders.js';
import { estimateRoute, routingKey } from './lib/routing.js';
import { StoreRepository } from './lib/stores.js';
import { holdOrResume, type TaskWaitDeps } from './lib/task-wait.js';
import { traced } from './lib/tracer.js';

export const ENV = ['ORDERS_TABLE', 'STORES_TABLE', 'ORS_API_KEY_PARAMETER', 'ORS_BASE_URL'] as const;

export interface AwaitDeliveryEvent {
  readonly orderId: string;
  readonly storeId: string;
  readonly deliveryCoordinates: CoordinatesValue;
  readonly taskToken: string;
}

export function parseAwaitDeliveryEvent(event: unknown): AwaitDeliveryEvent {
  if (typeof event !== 'object' || event === null) throw new Error('AwaitDelivery expects an object');
  const { orderId, storeId, deliveryCoordinates, taskToken } = event as Record<string, unknown>;
  if (typeof orderId !== 'string' || typeof storeId !== 'string' || typeof taskToken !== 'string')
    throw new Error('AwaitDelivery expects { orderId, storeId, deliveryCoordinates, taskToken }');
  return { orderId, storeId, deliveryCoordinates: parseCoordinates(deliveryCoordinates, 'deliveryCoordinates'), taskToken };
}

export interface AwaitDeliveryDeps extends TaskWaitDeps {
  /** The store's pickup coordinates; throws when they cannot be read. */
  readonly storeCoordinates: (storeId: string) => Promise<CoordinatesValue>;
  /** The route; never throws (it falls back to the straight line). */
  readonly route: (from: CoordinatesValue, to: CoordinatesValue) => Promise<DeliveryEstimate>;
  readonly now: () => Date;
}

export interface AwaitDeliveryResult {
  /** The ETA's source as written; null when none was written (none could be made, or the order had moved on). */
  readonly estimateSource: EstimateSource | null;
}

async function estimate(event: AwaitDeliveryEvent, deps: AwaitDeliveryDeps): Promise<DeliveryEstimate | null> {
  let from: CoordinatesValue;
  try {
    from = await deps.storeCoordinates(event.storeId);
  } catch (error) {
    deps.log.error('no delivery estimate: the store’s coordinates are unavailable', {
      storeId: event.storeId,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    return null;
  }
  return deps.route(from, event.deliveryCoordinates);
}

export async function awaitDelivery(event: AwaitDeliveryEvent, deps: AwaitDeliveryDeps): Promise<AwaitDeliveryResult> {
  const eta = await estimate(event, deps);
  const now = deps.now();
  const change =
    eta === null
      ? undefined
      : {
          set: {
            deliveryEstimatedAt: new Date(now.getTime() + eta.durationSeconds * 1000).toISOString(),
            deliverySteps: eta.steps,
            estimateSource: eta.source,
          },
          now,
        };
  const order = await holdOrResume({ orderId: event.orderId, stage: 'DELIVERY', taskToken: event.taskToken }, deps, change);
  if (order === null || eta === null) return { estimateSource: null };
  deps.log.info('delivery estimated', { source: eta.source, durationSeconds: eta.durationSeconds });
  return { estimateSource: eta.source };
}

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

const env = lazyEnv(ENV);

export const handler = traced('awaitDelivery', async (event: unknown, log): Promise<AwaitDeliveryResult> => {
  const e = env();
  const parsed = parseAwaitDeliveryEvent(event);
  log.setOrderId(parsed.orderId);
  const doc = documentClient();
  const stores = new StoreRepository(doc, e.STORES_TABLE);
  return awaitDelivery(parsed, {
    orders: new OrderRepository(doc, { orders: e.ORDERS_TABLE }),
    sfn: sfnClient(),
    storeCoordinates: (storeId) => coordinatesOf(stores, storeId),
    route: (from, to) =>
      estimateRoute(from, to, {
        apiKey: routingKey(e.ORS_API_KEY_PARAMETER),
        baseUrl: e.ORS_BASE_URL,
        fetch: globalThis.fetch,
        log: log.info,
      }),
    now: () => new Date(),
    log,
  });
});
