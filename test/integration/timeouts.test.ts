/**
 * Waits that are never answered end the order cleanly: the workflow's task timeout fires,
 * its guarded write cancels the order with a reason, and the customer hears about it.
 * Timeouts are shortened through the stack's env overrides (the same variables CDK sets).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order } from '../../generated/graphql.js';
import { errorTypeOf, eventually, executionStatus, orderInput, startHarness, subscribe, type Harness, type Party, gql } from './harness.js';
import { DECIDE_ORDER, GET_ORDER, PICKUP_ORDER, PLACE_ORDER } from './operations.js';

let h: Harness;
let customer: Party;
let store: Party;
let driver: Party;

beforeAll(async () => {
  h = await startHarness({
    envOverrides: { STORE_DECISION_TIMEOUT_SECONDS: '2', PICKUP_TIMEOUT_SECONDS: '2', DELIVERY_TIMEOUT_SECONDS: '2' },
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
