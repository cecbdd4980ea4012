/**
 * Waits that are never answered end the order cleanly: the workflow's task timeout fires,
 * its guarded write cancels the order with a reason, and the customer hears about it.
 * Timeouts are shortened through the stack's env overrides (the same variables CDK sets).
 *
 * The same stack throttles StartExecution with AWS's token bucket at a tiny rate (5 at once,
 * 10/s, against AWS's 1,300 and 300/s), for the burst test (issue 8, "Bursts"): 30 orders placed
 * at once are more than it lets start. Every placement is acknowledged at once (placeOrder only
 * writes the order), and every workflow still starts (the store's alert arrives for each), from
 * the orders stream, retried until the bucket lets it through; an idempotent retry of a
 * placement still makes one execution. (The other tests here place one order at a time.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order } from '../../generated/graphql.js';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { SEED_STORE_ID } from '../../infra/seed-stores.js';
import { waitFor } from '../../local/util/wait.js';
import {
  errorTypeOf,
  eventually,
  executionsNamed,
  executionStatus,
  orderInput,
  startHarness,
  subscribe,
  type Harness,
  type Party,
  gql,
} from './harness.js';
import { DECIDE_ORDER, GET_ORDER, PICKUP_ORDER, PLACE_ORDER } from './operations.js';

const BURST = 30;
const RETRIED = 5;
const STORE_QUEUE = `store-${SEED_STORE_ID}`;

let h: Harness;
let customer: Party;
let store: Party;
let driver: Party;

beforeAll(async () => {
  h = await startHarness({
    envOverrides: { STORE_DECISION_TIMEOUT_SECONDS: '2', PICKUP_TIMEOUT_SECONDS: '2', DELIVERY_TIMEOUT_SECONDS: '2' },
    stepFunctionsStartRate: { bucketSize: 5, refillPerSecond: 10 },
  });
  customer = await h.party('customer1');
  store = await h.party('store1');
  driver = await h.party('driver1');
});

afterAll(async () => {
  await h?.stop();
});

async function place(): Promise<Order> {
  return (await gql<{ placeOrder: Order }>(customer, PLACE_ORDER, { input: orderInput() })).placeOrder;
}

describe('timeouts', () => {
  it('cancels an order the store never answers (STORE_TIMEOUT), live, and refuses a late decision', async () => {
    const order = await place();
    const sub = await subscribe(customer, { orderId: order.orderId });
    try {
      const event = await sub.waitFor((e) => e.status === 'CANCELLED', 'CANCELLED');
      expect(event.cancellationReason).toBe('STORE_TIMEOUT');
      expect(
        await eventually(
          async () => ((await executionStatus(h, order.orderId)) === 'SUCCEEDED' ? true : undefined),
          'the execution to end',
        ),
      ).toBe(true);
      expect(await errorTypeOf(gql(store, DECIDE_ORDER, { input: { orderId: order.orderId, decision: 'ACCEPT' } }))).toBe(
        'InvalidTransition',
      );
    } finally {
      sub.unsubscribe();
    }
  });

  it('cancels an accepted order no driver picks up (PICKUP_TIMEOUT)', async () => {
    const order = await place();
    const sub = await subscribe(customer, { orderId: order.orderId });
    try {
      await gql(store, DECIDE_ORDER, { input: { orderId: order.orderId, decision: 'ACCEPT' } });
      await sub.waitFor((e) => e.status === 'ACCEPTED', 'ACCEPTED');
      const event = await sub.waitFor((e) => e.status === 'CANCELLED', 'CANCELLED');
      expect(event.cancellationReason).toBe('PICKUP_TIMEOUT');
    } finally {
      sub.unsubscribe();
    }
  });

  it('fails the execution (for an alarm) when a delivery is never confirmed; the order stays OUT_FOR_DELIVERY', async () => {
    const order = await place();
    await gql(store, DECIDE_ORDER, { input: { orderId: order.orderId, decision: 'ACCEPT' } });
    await gql(driver, PICKUP_ORDER, { input: { orderId: order.orderId } });
    expect(
      await eventually(async () => ((await executionStatus(h, order.orderId)) === 'FAILED' ? true : undefined), 'the execution to fail'),
    ).toBe(true);
    const { getOrder } = await gql<{ getOrder: Order }>(customer, GET_ORDER, { orderId: order.orderId });
    expect(getOrder.status).toBe('OUT_FOR_DELIVERY');
  });
});

describe('a burst of placements larger than the start rate', () => {
  it('is absorbed: every order is acknowledged PLACED at once, and every workflow starts and alerts the store', async () => {
    const inputs = Array.from({ length: BURST }, () => orderInput());
    // The first few are also sent twice, as a client retrying on a timeout would.
    const requests = [...inputs, ...inputs.slice(0, RETRIED)];
    const placed = await Promise.all(requests.map((input) => gql<{ placeOrder: Order }>(customer, PLACE_ORDER, { input })));
    // Each first placement is acknowledged PLACED. A retry answers with the order as it is by
    // then: on this stack its store may already have timed out (2 s) on a slow machine.
    expect(placed.slice(0, BURST).map((p) => p.placeOrder.status)).toEqual(inputs.map(() => 'PLACED'));
    const orderIds = new Set(placed.map((p) => p.placeOrder.orderId));
    expect(orderIds.size).toBe(BURST);
    placed.slice(BURST).forEach((retry, i) => expect(retry.placeOrder.orderId).toBe(placed[i]?.placeOrder.orderId));

    // Every order's store alert: its workflow started and reached the store's wait.
    const alerted = new Set<string>();
    const url = h.stack.queueUrl(STORE_QUEUE);
    await waitFor(
      async () => {
        const out = await h.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        for (const m of out.Messages ?? []) {
          await h.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
          const alert = JSON.parse(m.Body ?? '{}') as { type?: string; orderId?: string };
          if (alert.type === 'Order.Placed' && alert.orderId !== undefined && orderIds.has(alert.orderId)) alerted.add(alert.orderId);
        }
        return alerted.size === BURST;
      },
      { what: `store alerts for all ${BURST} orders`, timeoutMs: 30_000 },
    );

    // The burst really was more than the bucket let through: the endpoint refused starts.
    expect(h.logs.filter((line) => line.includes('StartExecution throttled')).length).toBeGreaterThan(0);
    // And the throttled starts were retried by the stream mapping or the SDK, never given up on.
    await h.stack.drainStreams();
    const failures = await h.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: h.stack.queueUrl('startWorkflow-stream-failures'),
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    );
    expect(failures.Messages ?? []).toEqual([]);
    // One execution per order, the retried ones included.
    for (const orderId of orderIds) expect(await executionsNamed(h, orderId), orderId).toBe(1);
  });
});
