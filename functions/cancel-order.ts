/**
 * Mutation.cancelOrder: the customer who placed the order cancels it before the store decides
 * (the write is guarded on the order's customerId being the caller's). The workflow's store wait
 * fails with Order.Cancelled and the execution ends.
 */
import { requireParty } from '../domain/authorize.js';
import { toPublicOrder, type PublicOrder } from '../domain/order.js';
import type { Party } from '../domain/party.js';
import { parseCancelOrder, type CancelOrderCommand } from '../domain/validation.js';
import { ORDER_MUTATION_ENV, orderMutationHandler, resumeAfterWrite, type OrderMutationDeps } from './lib/mutation-handler.js';
import { ORDER_CANCELLED_ERROR } from './lib/workflow.js';

export const ENV = ORDER_MUTATION_ENV;

export async function cancelOrder(command: CancelOrderCommand, party: Party, deps: OrderMutationDeps): Promise<PublicOrder> {
  requireParty(party, 'customer', 'cancel an order');
  const now = deps.now();
  const after = await deps.orders.transition(command.orderId, 'cancel', {
    party,
    now,
    set: { cancelledAt: now.toISOString(), cancellationReason: 'CUSTOMER_CANCELLED' },
  });
  await resumeAfterWrite(deps, command.orderId, after.storeTaskToken, {
    kind: 'failure',
    error: ORDER_CANCELLED_ERROR,
    cause: 'CUSTOMER_CANCELLED',
  });
  return toPublicOrder(after);
}

export const handler = orderMutationHandler('cancelOrder', parseCancelOrder, cancelOrder);
