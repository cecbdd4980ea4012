/**
 * Mutation.pickupOrder: a driver picks up an ACCEPTED order. Before acceptance (or after
 * another driver) the guarded write refuses it; the winner resumes the workflow.
 */
import { toPublicOrder, type PublicOrder } from '../domain/order.js';
import { parsePickupOrder, type PickupOrderCommand } from '../domain/validation.js';
import { ORDER_MUTATION_ENV, orderMutationHandler, resumeAfterWrite, type OrderMutationDeps } from './lib/mutation-handler.js';

export const ENV = ORDER_MUTATION_ENV;

export async function pickupOrder(command: PickupOrderCommand, deps: OrderMutationDeps): Promise<PublicOrder> {
  const now = deps.now();
  const after = await deps.orders.transition(command.orderId, 'pickup', {
    now,
    set: { driverId: command.driverId, pickedUpAt: now.toISOString() },
  });
  await resumeAfterWrite(deps, command.orderId, after.driverTaskToken, { kind: 'success', output: { driverId: command.driverId } });
  return toPublicOrder(after);
}

export const handler = orderMutationHandler('pickupOrder', parsePickupOrder, pickupOrder);
