/**
 * Mutation.completeDelivery: the driver who picked the order up hands it over. Only that driver
 * (the write is guarded on the order's driverId being the caller's), and only while the order is
 * OUT_FOR_DELIVERY; the workflow's delivery wait then ends.
 */
import { requireParty } from '../domain/authorize.js';
import { toPublicOrder, type PublicOrder } from '../domain/order.js';
import type { Party } from '../domain/party.js';
import { parseCompleteDelivery, type CompleteDeliveryCommand } from '../domain/validation.js';
import { ORDER_MUTATION_ENV, orderMutationHandler, resumeAfterWrite, type OrderMutationDeps } from './lib/mutation-handler.js';

export const ENV = ORDER_MUTATION_ENV;

export async function completeDelivery(command: CompleteDeliveryCommand, party: Party, deps: OrderMutationDeps): Promise<PublicOrder> {
  requireParty(party, 'driver', 'complete a delivery');
  const now = deps.now();
  const after = await deps.orders.transition(command.orderId, 'deliver', {
    party,
    now,
    set: { deliveredAt: now.toISOString() },
  });
  await resumeAfterWrite(deps, command.orderId, after.deliveryTaskToken, { kind: 'success', output: { deliveredAt: now.toISOString() } });
  return toPublicOrder(after);
}

export const handler = orderMutationHandler('completeDelivery', parseCompleteDelivery, completeDelivery);
