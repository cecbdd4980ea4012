/**
 * Workflow task (lambda:invoke.waitForTaskToken) for the waits that alert a party: the store's
 * decision and the driver's pickup. It stores the task token on the order — if the order is still
 * waiting — and alerts the party over SNS; the alert names the order, never the token. If the
 * order has already moved on, it resumes the workflow itself (functions/lib/task-wait.ts).
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { OrderRecord } from '../domain/order.js';
import { documentClient, sfnClient, snsClient } from './lib/clients.js';
import { lazyEnv } from './lib/config.js';
import { OrderRepository } from './lib/orders.js';
import { holdOrResume, type TaskWaitDeps, type WaitStage } from './lib/task-wait.js';
import { traced } from './lib/tracer.js';

export const ENV = ['ORDERS_TABLE', 'STORE_TOPIC_ARN', 'DRIVER_TOPIC_ARN'] as const;

/** The waits that alert a party (the delivery wait is functions/await-delivery.ts). */
export type Stage = Exclude<WaitStage, 'DELIVERY'>;

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
  if (typeof orderId !== 'string' || typeof taskToken !== 'string' || (stage !== 'STORE_DECISION' && stage !== 'DRIVER_PICKUP')) {
    throw new Error('AwaitParty expects { orderId, stage: STORE_DECISION | DRIVER_PICKUP, taskToken }');
  }
  return { orderId, stage, taskToken };
}

/** Per wait: whom it alerts, and how. */
const ALERTS: Record<Stage, { readonly type: PartyAlert['type']; readonly topic: 'STORE_TOPIC_ARN' | 'DRIVER_TOPIC_ARN' }> = {
  STORE_DECISION: { type: 'Order.Placed', topic: 'STORE_TOPIC_ARN' },
  DRIVER_PICKUP: { type: 'Order.ReadyForPickup', topic: 'DRIVER_TOPIC_ARN' },
};

export interface AwaitPartyDeps extends TaskWaitDeps {
  readonly sns: SNSClient;
  readonly topics: { readonly STORE_TOPIC_ARN: string; readonly DRIVER_TOPIC_ARN: string };
}

export async function awaitParty(event: AwaitPartyEvent, deps: AwaitPartyDeps): Promise<{ alerted: boolean }> {
  const order = await holdOrResume(event, deps);
  if (order === null) return { alerted: false };
  const { type, topic } = ALERTS[event.stage];
  const alert: PartyAlert = {
    type,
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
      TopicArn: deps.topics[topic],
      Message: JSON.stringify(alert),
      MessageAttributes: {
        storeId: { DataType: 'String', StringValue: order.storeId },
        type: { DataType: 'String', StringValue: alert.type },
      },
    }),
  );
  deps.log.info('party alerted', { orderId: order.orderId, stage: event.stage });
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
    log,
  });
});
