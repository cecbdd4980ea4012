/**
 * Mutation.pickupOrder: a driver picks up an ACCEPTED order (offered to every driver) and
 * becomes its driver: the driver id is the caller's, never an input. Before acceptance (or after
 * another driver) the guarded write refuses it; the winner resumes the workflow.
 */
import { requireParty } from '../domain/authorize.js';
import { toPublicOrder, type PublicOrder } from '../domain/order.js';
import type { Party } from '../domain/party.js';
import { parsePickupOrder, type PickupOrderCommand } from '../domain/validation.js';
import { ORDER_MUTATION_ENV, orderMutationHandler, resumeAfterWrite, type OrderMutationDeps } from './lib/mutation-handler.js';

export const ENV = ORDER_MUTATION_ENV;

export async function pickupOrder(command: PickupOrderCommand, party: Party, deps: OrderMutationDeps): Promise<PublicOrder> {
  const { driverId } = requireParty(party, 'driver', 'pick up an order');
  const now = deps.now();
  const after = await deps.orders.transition(command.orderId, 'pickup', {
    party,
    offered: true,
    now,
    set: { driverId, pickedUpAt: now.toISOString() },
  });
  await resumeAfterWrite(deps, command.orderId, after.driverTaskToken, { kind: 'success', output: { driverId } });
  return toPublicOrder(after);
}

export const handler = orderMutationHandler('pickupOrder', parsePickupOrder, pickupOrder);
