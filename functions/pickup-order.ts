/**
 * Mutation.pickupOrder: a driver picks up an ACCEPTED order. Before acceptance (or after
 * another driver) the guarded write refuses it; the winner resumes the workflow.
 */
import { toPublicOrder, type PublicOrder } from '../domain/order.js';
import { parsePickupOrder, type PickupOrderCommand } from '../domain/validation.js';
import { ORDER_MUTATION_ENV, orderMutationHandler, type OrderMutationDeps } from './lib/mutation-handler.js';
import { resumeTask } from './lib/workflow.js';

export const ENV = ORDER_MUTATION_ENV;

export async function pickupOrder(command: PickupOrderCommand, deps: OrderMutationDeps): Promise<PublicOrder> {
  const now = deps.now();
  const after = await deps.orders.transition(command.orderId, 'pickup', {
    now,
    set: { driverId: command.driverId, pickedUpAt: now.toISOString() },
  });
  if (after.driverTaskToken !== undefined) {
    await resumeTask(deps.sfn, after.driverTaskToken, { kind: 'success', output: { driverId: command.driverId } }, (m) =>
      deps.log.info(m, { orderId: command.orderId }),
    );
  }
  return toPublicOrder(after);
}

export const handler = orderMutationHandler('pickupOrder', parsePickupOrder, pickupOrder);
