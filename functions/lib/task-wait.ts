/**
 * The workflow's waits for a party (lambda:invoke.waitForTaskToken tasks: functions/await-party.ts
 * for the store and the driver, functions/await-delivery.ts for the delivery). Each stores its
 * task token on the order if the order still waits; if it has already moved on (the mutation won
 * the race and found no token to resume), the wait resumes the workflow itself from the order's
 * status. Exactly one side sees the other's write, because both are conditional writes on the
 * same item.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { OrderRecord, TaskTokenField } from '../../domain/order.js';
import type { Logger } from './logger.js';
import type { AttributeChange, OrderRepository } from './orders.js';
import { ORDER_CANCELLED_ERROR, resumeTask, type TaskResume } from './workflow.js';

export type WaitStage = 'STORE_DECISION' | 'DRIVER_PICKUP' | 'DELIVERY';

/** Per wait: where its token is kept and the status it waits in. */
const WAITS: Record<WaitStage, { readonly token: TaskTokenField; readonly waitsIn: OrderRecord['status'] }> = {
  STORE_DECISION: { token: 'storeTaskToken', waitsIn: 'PLACED' },
  DRIVER_PICKUP: { token: 'driverTaskToken', waitsIn: 'ACCEPTED' },
  DELIVERY: { token: 'deliveryTaskToken', waitsIn: 'OUT_FOR_DELIVERY' },
};

/** How to resume a wait whose order has already left the waiting status. */
export function resumeFor(stage: WaitStage, order: OrderRecord): TaskResume {
  if (order.status === 'CANCELLED')
    return { kind: 'failure', error: ORDER_CANCELLED_ERROR, cause: order.cancellationReason ?? 'CANCELLED' };
  if (stage === 'STORE_DECISION') return { kind: 'success', output: { decision: order.status === 'DECLINED' ? 'DECLINE' : 'ACCEPT' } };
  if (stage === 'DRIVER_PICKUP') return { kind: 'success', output: { driverId: order.driverId ?? '' } };
  return { kind: 'success', output: { deliveredAt: order.deliveredAt ?? '' } };
}

export interface TaskWait {
  readonly orderId: string;
  readonly stage: WaitStage;
  readonly taskToken: string;
}

export interface TaskWaitDeps {
  readonly orders: OrderRepository;
  readonly sfn: SFNClient;
  readonly log: Logger;
}

/**
 * Stores the wait's token on the order, with `change` in the same write (OrderRepository
 * .attachTaskToken), and returns the order as written; or resumes the workflow from the order's
 * status and returns null when the order no longer waits.
 */
export async function holdOrResume(wait: TaskWait, deps: TaskWaitDeps, change?: AttributeChange): Promise<OrderRecord | null> {
  const { token, waitsIn } = WAITS[wait.stage];
  const { stored, order } = await deps.orders.attachTaskToken(wait.orderId, token, wait.taskToken, waitsIn, change);
  if (stored) return order;
  deps.log.info('order already moved on; resuming workflow', { orderId: wait.orderId, status: order.status });
  await resumeTask(deps.sfn, wait.taskToken, resumeFor(wait.stage, order), (m) => deps.log.info(m, { orderId: wait.orderId }));
  return null;
}
