/**
 * Mutation.placeOrder: a signed-in customer places an order (its customerId is the caller's,
 * never an input). Validates the order, writes it once per customer and idempotency key, and
 * acknowledges it at once (PLACED). It does not start the workflow: the order's INSERT in the
 * orders stream does (functions/start-workflow.ts), so a burst of orders never fails on Step
 * Functions' StartExecution throttling; the stream holds them until they start.
 */
import { createHash, randomUUID } from 'node:crypto';
import { requireParty } from '../domain/authorize.js';
import { NotFoundError, StoreClosedError } from '../domain/errors.js';
import { newOrder, toPublicOrder, type PublicOrder } from '../domain/order.js';
import { partyOf, type Party } from '../domain/party.js';
import { parsePlaceOrder, type PlaceOrderCommand } from '../domain/validation.js';
import { documentClient } from './lib/clients.js';
import { lazyEnv } from './lib/config.js';
import { parseMutationEvent } from './lib/event.js';
import { OrderRepository, PreconditionFailedError } from './lib/orders.js';
import { failure, success, type MutationResult } from './lib/result.js';
import { StoreRepository } from './lib/stores.js';
import { traced } from './lib/tracer.js';

export const ENV = ['ORDERS_TABLE', 'STORES_TABLE', 'IDEMPOTENCY_TABLE'] as const;

export interface PlaceOrderDeps {
  readonly orders: OrderRepository;
  readonly stores: StoreRepository;
  readonly now: () => Date;
  readonly newId: () => string;
}

/**
 * Same request by the same customer ⇔ same hash; the idempotency key itself is not part of it.
 * The customer is, so a stored key can only ever match its own customer's request.
 */
export function requestHash(command: PlaceOrderCommand, customerId: string): string {
  const { idempotencyKey: _ignored, ...rest } = command;
  return createHash('sha256')
    .update(JSON.stringify({ customerId, ...rest }))
    .digest('hex');
}

export async function placeOrder(command: PlaceOrderCommand, party: Party, deps: PlaceOrderDeps): Promise<PublicOrder> {
  const { customerId } = requireParty(party, 'customer', 'place an order');
  const record = newOrder(command, { orderId: deps.newId(), customerId }, deps.now());

  // A retry returns the stored order and writes nothing: the stream has exactly one INSERT per
  // order, so one workflow start (whose name, the order id, makes a repeated start a no-op).
  // Not Powertools Idempotency: it would key on the event (here, per customer and key, and a
  // key reused for another request is a typed IdempotencyConflict), write its record apart from
  // the order (here one transaction: no order without its key, no key without its order), and
  // replay the first response for its expiry (here a retry gets the order as it is by then).
  // The store's check is part of the write (no read first): only when it fails is the store read,
  // to tell a store that does not exist from a closed one.
  try {
    const { record: order } = await deps.orders.createIdempotent(
      record,
      requestHash(command, customerId),
      deps.stores.takesOrders(command.storeId),
    );
    return toPublicOrder(order);
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    const store = await deps.stores.get(command.storeId);
    throw store === null ? new NotFoundError('store', command.storeId) : new StoreClosedError(store.storeId);
  }
}

const env = lazyEnv(ENV);
let deps: PlaceOrderDeps | undefined;

function defaultDeps(): PlaceOrderDeps {
  const e = env();
  const doc = documentClient();
  return {
    orders: new OrderRepository(doc, { orders: e.ORDERS_TABLE, idempotency: e.IDEMPOTENCY_TABLE }),
    stores: new StoreRepository(doc, e.STORES_TABLE),
    now: () => new Date(),
    newId: () => randomUUID(),
  };
}

export const handler = traced('placeOrder', async (event: unknown, log): Promise<MutationResult> => {
  try {
    const { input, caller } = parseMutationEvent(event);
    const order = await placeOrder(parsePlaceOrder(input), partyOf(caller), (deps ??= defaultDeps()));
    log.setOrderId(order.orderId);
    log.info('order placed', { storeId: order.storeId });
    return success(order);
  } catch (error) {
    return failure(error);
  }
});
