/**
 * Mutation.decideOrder: the store accepts or declines a PLACED order. The guarded write decides
 * who wins; the winner resumes the workflow with the decision (never exposing the token).
 */
import { dispatchEstimate, toPublicOrder, type PublicOrder } from '../domain/order.js';
import { parseDecideOrder, type DecideOrderCommand } from '../domain/validation.js';
import { ORDER_MUTATION_ENV, orderMutationHandler, resumeAfterWrite, type OrderMutationDeps } from './lib/mutation-handler.js';

export const ENV = ORDER_MUTATION_ENV;

export async function decideOrder(command: DecideOrderCommand, deps: OrderMutationDeps): Promise<PublicOrder> {
  const now = deps.now();
  const after =
    command.decision === 'ACCEPT'
      ? await deps.orders.transition(command.orderId, 'accept', {
          owner: { attribute: 'storeId', value: command.storeId },
          now,
          set: { acceptedAt: now.toISOString(), dispatchEstimatedAt: dispatchEstimate(now).toISOString() },
        })
      : await deps.orders.transition(command.orderId, 'decline', {
          owner: { attribute: 'storeId', value: command.storeId },
          now,
          set: { declinedAt: now.toISOString(), declineReason: command.reason },
        });
  // No token yet means the workflow has not reached its wait: its task sees the new status
  // when it tries to attach the token, and resumes itself.
  await resumeAfterWrite(deps, command.orderId, after.storeTaskToken, { kind: 'success', output: { decision: command.decision } });
  return toPublicOrder(after);
}

export const handler = orderMutationHandler('decideOrder', parseDecideOrder, decideOrder);
