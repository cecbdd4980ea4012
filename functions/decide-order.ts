/**
 * Mutation.decideOrder: the order's store (its staff, the store from who they are) accepts or
 * declines a PLACED order. The guarded write decides who wins; the winner resumes the workflow
 * with the decision (never exposing the token).
 */
import { requireParty } from '../domain/authorize.js';
import { dispatchEstimate, toPublicOrder, type PublicOrder } from '../domain/order.js';
import type { Party } from '../domain/party.js';
import { parseDecideOrder, type DecideOrderCommand } from '../domain/validation.js';
import { ORDER_MUTATION_ENV, orderMutationHandler, resumeAfterWrite, type OrderMutationDeps } from './lib/mutation-handler.js';

export const ENV = ORDER_MUTATION_ENV;

export async function decideOrder(command: DecideOrderCommand, party: Party, deps: OrderMutationDeps): Promise<PublicOrder> {
  requireParty(party, 'store', 'decide an order');
  const now = deps.now();
  // The write is guarded on the order's storeId being the staff's store (TransitionChange.party).
  const after =
    command.decision === 'ACCEPT'
      ? await deps.orders.transition(command.orderId, 'accept', {
          party,
          now,
          set: { acceptedAt: now.toISOString(), dispatchEstimatedAt: dispatchEstimate(now).toISOString() },
        })
      : await deps.orders.transition(command.orderId, 'decline', {
          party,
          now,
          set: { declinedAt: now.toISOString(), declineReason: command.reason },
        });
  // No token yet means the workflow has not reached its wait: its task sees the new status
  // when it tries to attach the token, and resumes itself.
  await resumeAfterWrite(deps, command.orderId, after.storeTaskToken, { kind: 'success', output: { decision: command.decision } });
  return toPublicOrder(after);
}

export const handler = orderMutationHandler('decideOrder', parseDecideOrder, decideOrder);
