/**
 * Workflow task (lambda:invoke.waitForTaskToken) for both waits: the store's decision and the
 * driver's pickup. It stores the task token on the order — if the order is still waiting —
 * and alerts the party over SNS; the alert names the order, never the token.
 *
 * If the order has already moved on (the mutation won the race and found no token to resume),
 * this task resumes the workflow itself from the order's status. Exactly one side sees the
 * other's write, because both are conditional writes on the same item.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { OrderRecord, TaskTokenField } from '../domain/order.js';
import { documentClient, sfnClient, snsClient } from './lib/clients.js';
import { lazyEnv } from './lib/config.js';
import { OrderRepository } from './lib/orders.js';
import { traced } from './lib/tracer.js';
import { ORDER_CANCELLED_ERROR, resumeTask, type TaskResume } from './lib/workflow.js';

export const ENV = ['ORDERS_TABLE', 'STORE_TOPIC_ARN', 'DRIVER_TOPIC_ARN'] as const;

export type Stage = 'STORE_DECISION' | 'DRIVER_PICKUP' | 'DELIVERY';

export interface AwaitPartyEvent {
  readonly orderId: string;
  readonly stage: Stage;
  readonly taskToken: string;
}

/** The alert a store or driver system reads from its SQS queue (raw SNS delivery). */
export interface PartyAlert {
  readonly type: 'Order.Placed' | 'Order.ReadyForPickup';
  readonly orderId: string;
  readonly storeId: string;
  readonly status: OrderRecord['status'];
  readonly pies: OrderRecord['pies'];
  readonly deliveryAddress: OrderRecord['deliveryAddress'];
  readonly createdAt: string;
  readonly dispatchEstimatedAt: string | null;
}

export function parseAwaitPartyEvent(event: unknown): AwaitPartyEvent {
  if (typeof event !== 'object' || event === null) throw new Error('AwaitParty expects an object');
  const { orderId, stage, taskToken } = event as Record<string, unknown>;
  if (
    typeof orderId !== 'string' ||
    typeof taskToken !== 'string' ||
    (stage !== 'STORE_DECISION' && stage !== 'DRIVER_PICKUP' && stage !== 'DELIVERY')
  ) {
    throw new Error('AwaitParty expects { orderId, stage: STORE_DECISION | DRIVER_PICKUP | DELIVERY, taskToken }');
  }
  return { orderId, stage, taskToken };
}

/** Per wait: where its token is kept, the status it waits in, and whom it alerts (if anyone). */
const STAGES: Record<
  Stage,
  {
    readonly token: TaskTokenField;
    readonly waitsIn: OrderRecord['status'];
    readonly alert?: { readonly type: PartyAlert['type']; readonly topic: 'STORE_TOPIC_ARN' | 'DRIVER_TOPIC_ARN' };
  }
> = {
  STORE_DECISION: { token: 'storeTaskToken', waitsIn: 'PLACED', alert: { type: 'Order.Placed', topic: 'STORE_TOPIC_ARN' } },
  DRIVER_PICKUP: { token: 'driverTaskToken', waitsIn: 'ACCEPTED', alert: { type: 'Order.ReadyForPickup', topic: 'DRIVER_TOPIC_ARN' } },
  // The driver already has the order; the customer follows it through the subscription.
  DELIVERY: { token: 'deliveryTaskToken', waitsIn: 'OUT_FOR_DELIVERY' },
};

/** How to resume a wait whose order has already left the waiting status. */
export function resumeFor(stage: Stage, order: OrderRecord): TaskResume {
  if (order.status === 'CANCELLED')
    return { kind: 'failure', error: ORDER_CANCELLED_ERROR, cause: order.cancellationReason ?? 'CANCELLED' };
  if (stage === 'STORE_DECISION') return { kind: 'success', output: { decision: order.status === 'DECLINED' ? 'DECLINE' : 'ACCEPT' } };
  if (stage === 'DRIVER_PICKUP') return { kind: 'success', output: { driverId: order.driverId ?? '' } };
  return { kind: 'success', output: { deliveredAt: order.deliveredAt ?? '' } };
}

export interface AwaitPartyDeps {
  readonly orders: OrderRepository;
  readonly sns: SNSClient;
  readonly sfn: SFNClient;
  readonly topics: { readonly STORE_TOPIC_ARN: string; readonly DRIVER_TOPIC_ARN: string };
  readonly log: (message: string, fields?: Record<string, unknown>) => void;
}

export async function awaitParty(event: AwaitPartyEvent, deps: AwaitPartyDeps): Promise<{ alerted: boolean }> {
  const stage = STAGES[event.stage];
  const { stored, order } = await deps.orders.attachTaskToken(event.orderId, stage.token, event.taskToken, stage.waitsIn);
  if (!stored) {
    deps.log('order already moved on; resuming workflow', { orderId: event.orderId, status: order.status });
    await resumeTask(deps.sfn, event.taskToken, resumeFor(event.stage, order), (m) => deps.log(m, { orderId: event.orderId }));
    return { alerted: false };
  }
  if (stage.alert === undefined) return { alerted: false };
  const alert: PartyAlert = {
    type: stage.alert.type,
    orderId: order.orderId,
    storeId: order.storeId,
    status: order.status,
    pies: order.pies,
    deliveryAddress: order.deliveryAddress,
    createdAt: order.createdAt,
    dispatchEstimatedAt: order.dispatchEstimatedAt ?? null,
  };
  await deps.sns.send(
    new PublishCommand({
      TopicArn: deps.topics[stage.alert.topic],
      Message: JSON.stringify(alert),
      MessageAttributes: {
        storeId: { DataType: 'String', StringValue: order.storeId },
        type: { DataType: 'String', StringValue: alert.type },
      },
    }),
  );
  deps.log('party alerted', { orderId: order.orderId, stage: event.stage });
  return { alerted: true };
}

const env = lazyEnv(ENV);

export const handler = traced('awaitParty', async (event: unknown, log): Promise<{ alerted: boolean }> => {
  const e = env();
  const parsed = parseAwaitPartyEvent(event);
  log.setOrderId(parsed.orderId);
  return awaitParty(parsed, {
    orders: new OrderRepository(documentClient(), { orders: e.ORDERS_TABLE }),
    sns: snsClient(),
    sfn: sfnClient(),
    topics: e,
    log: log.info,
  });
});
