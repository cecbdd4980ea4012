/**
 * Mutation.placeOrder: a signed-in customer places an order (its customerId is the caller's,
 * never an input). Validates the order, writes it once per customer and idempotency key and
 * starts its workflow (execution name = order id, so a retry never starts a second one).
 */
import { createHash, randomUUID } from 'node:crypto';
import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { requireParty } from '../domain/authorize.js';
import { NotFoundError } from '../domain/errors.js';
import { newOrder, toPublicOrder, type PublicOrder } from '../domain/order.js';
import { partyOf, type Party } from '../domain/party.js';
import { parsePlaceOrder, type PlaceOrderCommand } from '../domain/validation.js';
import { documentClient, sfnClient } from './lib/clients.js';
import { lazyEnv, positiveInt } from './lib/config.js';
import { parseMutationEvent } from './lib/event.js';
import { logger } from './lib/logger.js';
import { OrderRepository } from './lib/orders.js';
import { failure, success, type MutationResult } from './lib/result.js';
import { StoreRepository } from './lib/stores.js';
import type { WorkflowInput } from './lib/workflow.js';

export const ENV = [
  'ORDERS_TABLE',
  'STORES_TABLE',
  'IDEMPOTENCY_TABLE',
  'ORDER_WORKFLOW_ARN',
  'STORE_DECISION_TIMEOUT_SECONDS',
  'PICKUP_TIMEOUT_SECONDS',
  'DELIVERY_TIMEOUT_SECONDS',
] as const;

export interface PlaceOrderDeps {
  readonly orders: OrderRepository;
  readonly stores: StoreRepository;
  readonly sfn: SFNClient;
  readonly workflowArn: string;
  readonly timeouts: WorkflowInput['timeouts'];
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
  const store = await deps.stores.get(command.storeId);
  if (store === null) throw new NotFoundError('store', command.storeId);
  const record = newOrder(command, { orderId: deps.newId(), customerId }, deps.now());

  const { record: order } = await deps.orders.createIdempotent(record, requestHash(command, customerId));
  // Started on every call, also for a retry: if an earlier attempt saved the order but failed
  // before starting the workflow, the retry heals it. Same name + same input is a no-op.
  const input: WorkflowInput = { orderId: order.orderId, storeId: order.storeId, timeouts: deps.timeouts };
  try {
    await deps.sfn.send(
      new StartExecutionCommand({ stateMachineArn: deps.workflowArn, name: order.orderId, input: JSON.stringify(input) }),
    );
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
  }
  return toPublicOrder(order);
}

const env = lazyEnv(ENV);
const log = logger('placeOrder');
let deps: PlaceOrderDeps | undefined;

function defaultDeps(): PlaceOrderDeps {
  const e = env();
  const doc = documentClient();
  return {
    orders: new OrderRepository(doc, { orders: e.ORDERS_TABLE, idempotency: e.IDEMPOTENCY_TABLE }),
    stores: new StoreRepository(doc, e.STORES_TABLE),
    sfn: sfnClient(),
    workflowArn: e.ORDER_WORKFLOW_ARN,
    timeouts: {
      storeDecisionSeconds: positiveInt(e.STORE_DECISION_TIMEOUT_SECONDS, 'STORE_DECISION_TIMEOUT_SECONDS'),
      pickupSeconds: positiveInt(e.PICKUP_TIMEOUT_SECONDS, 'PICKUP_TIMEOUT_SECONDS'),
      deliverySeconds: positiveInt(e.DELIVERY_TIMEOUT_SECONDS, 'DELIVERY_TIMEOUT_SECONDS'),
    },
    now: () => new Date(),
    newId: () => randomUUID(),
  };
}

export const handler = async (event: unknown): Promise<MutationResult> => {
  try {
    const { input, caller } = parseMutationEvent(event);
    const order = await placeOrder(parsePlaceOrder(input), partyOf(caller), (deps ??= defaultDeps()));
    log.info('order placed', { orderId: order.orderId, storeId: order.storeId });
    return success(order);
  } catch (error) {
    return failure(error);
  }
};
