/**
 * The thin Lambda entry point shared by the order mutations that change an existing order:
 * parse the resolver's event, run the domain operation as the caller's party, map the result
 * (typed errors as data). The party comes from the caller the resolver verified, never from input.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { PublicOrder } from '../../domain/order.js';
import { partyOf, type Party } from '../../domain/party.js';
import { documentClient, sfnClient } from './clients.js';
import { lazyEnv } from './config.js';
import { parseMutationEvent } from './event.js';
import type { Logger } from './logger.js';
import { OrderRepository } from './orders.js';
import { failure, success, type MutationResult } from './result.js';
import { traced } from './tracer.js';
import { resumeTask, type TaskResume } from './workflow.js';

/** The variables every order-changing mutation reads. */
export const ORDER_MUTATION_ENV = ['ORDERS_TABLE'] as const;

export interface OrderMutationDeps {
  readonly orders: OrderRepository;
  readonly sfn: SFNClient;
  readonly now: () => Date;
  readonly log: Logger;
}

export function orderMutationHandler<C>(
  name: string,
  parse: (input: unknown) => C,
  /** Refuses every party but the one it serves (domain/authorize.ts) before touching anything. */
  run: (command: C, party: Party, deps: OrderMutationDeps) => Promise<PublicOrder>,
): (event: unknown) => Promise<MutationResult> {
  const env = lazyEnv(ORDER_MUTATION_ENV);
  let shared: Omit<OrderMutationDeps, 'log'> | undefined;
  return traced(name, async (event: unknown, log) => {
    try {
      shared ??= {
        orders: new OrderRepository(documentClient(), { orders: env().ORDERS_TABLE }),
        sfn: sfnClient(),
        now: () => new Date(),
      };
      const { input, caller } = parseMutationEvent(event);
      const party = partyOf(caller);
      const command = parse(input);
      if (typeof command === 'object' && command !== null && 'orderId' in command && typeof command.orderId === 'string') {
        log.setOrderId(command.orderId);
      }
      const order = await run(command, party, { ...shared, log });
      log.info(`${name} done`, { status: order.status, version: order.version, party: party.kind });
      return success(order);
    } catch (error) {
      return failure(error);
    }
  });
}

/**
 * Resumes the workflow after a mutation's guarded write has won. The write is the decision: if
 * resuming fails even after the SDK's retries (throttling, an outage), the caller still gets the
 * changed order — reporting an error would make its retry fail with InvalidTransition. The
 * failure is logged as an error (alarm on it), and the workflow's own timeout path reconciles
 * with the order's status.
 */
export async function resumeAfterWrite(
  deps: OrderMutationDeps,
  orderId: string,
  token: string | undefined,
  resume: TaskResume,
): Promise<void> {
  if (token === undefined) return;
  try {
    await resumeTask(deps.sfn, token, resume, (m) => deps.log.info(m, { orderId }));
  } catch (error) {
    deps.log.error('could not resume the workflow; its timeout path will reconcile', {
      orderId,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}
