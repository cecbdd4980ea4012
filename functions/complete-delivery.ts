/**
 * Mutation.completeDelivery: the driver who picked the order up hands it over. Only that driver,
 * and only while the order is OUT_FOR_DELIVERY; the workflow's delivery wait then ends.
 */
import { toPublicOrder, type PublicOrder } from '../domain/order.js';
import { parseCompleteDelivery, type CompleteDeliveryCommand } from '../domain/validation.js';
import { ORDER_MUTATION_ENV, orderMutationHandler, resumeAfterWrite, type OrderMutationDeps } from './lib/mutation-handler.js';

export const ENV = ORDER_MUTATION_ENV;

export async function completeDelivery(command: CompleteDeliveryCommand, deps: OrderMutationDeps): Promise<PublicOrder> {
  const now = deps.now();
  const after = await deps.orders.transition(command.orderId, 'deliver', {
    owner: { attribute: 'driverId', value: command.driverId },
    now,
    set: { deliveredAt: now.toISOString() },
  });
  await resumeAfterWrite(deps, command.orderId, after.deliveryTaskToken, { kind: 'success', output: { deliveredAt: now.toISOString() } });
  return toPublicOrder(after);
}

export const handler = orderMutationHandler('completeDelivery', parseCompleteDelivery, completeDelivery);
