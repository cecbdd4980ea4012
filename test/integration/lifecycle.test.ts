/**
 * The order lifecycle end to end on the local stack, through the real aws-amplify v6 client:
 * GraphQL over HTTP, the subscription over AppSync's realtime protocol, SNS → SQS alerts and
 * the Step Functions workflow resumed by task tokens that never leave the backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order } from '../../generated/graphql.js';
import { SEED_STORE_ID } from '../../infra/seed-stores.js';
import {
  errorTypeOf,
  eventually,
  executionStatus,
  orderInput,
  receiveAlert,
  scanOrders,
  startHarness,
  subscribe,
  type Harness,
  gql,
} from './harness.js';
import {
  CANCEL_ORDER,
  COMPLETE_DELIVERY,
  DECIDE_ORDER,
  GET_ORDER,
  LIST_STORES,
  ORDERS_BY_STORE,
  PICKUP_ORDER,
  PLACE_ORDER,
} from './operations.js';

let h: Harness;
const call = <T>(query: string, variables: Record<string, unknown> = {}) => gql<T>(h, query, variables);

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

const STORE_QUEUE = `store-${SEED_STORE_ID}`;

describe('the order lifecycle', () => {
  it('lists the seeded stores, the original seed store among them', async () => {
    const { listStores } = await call<{ listStores: { storeId: string; coordinates: { latitude: number } }[] }>(LIST_STORES, {});
    expect(listStores.find((s) => s.storeId === SEED_STORE_ID)?.coordinates.latitude).toBeCloseTo(51.049, 3);
  });

  it('accept path: PLACED → ACCEPTED → OUT_FOR_DELIVERY → DELIVERED, live, with SQS alerts and an ETA', async () => {
    const sub = await subscribe(h, { storeId: SEED_STORE_ID });
    try {
      const { placeOrder } = await call<{ placeOrder: Order }>(PLACE_ORDER, { input: orderInput() });
      expect(placeOrder.status).toBe('PLACED');
      const orderId = placeOrder.orderId;
      await sub.waitFor((e) => e.orderId === orderId && e.status === 'PLACED', 'PLACED');

      const storeAlert = await receiveAlert(h, STORE_QUEUE, orderId);
      expect(JSON.parse(storeAlert.body)).toMatchObject({ type: 'Order.Placed', orderId, storeId: SEED_STORE_ID });
      expect(storeAlert.attributes.storeId).toBe(SEED_STORE_ID);

      const { decideOrder } = await call<{ decideOrder: Order }>(DECIDE_ORDER, {
        input: { orderId, storeId: SEED_STORE_ID, decision: 'ACCEPT' },
      });
      expect(decideOrder.status).toBe('ACCEPTED');
      expect(decideOrder.dispatchEstimatedAt).not.toBeNull();
      await sub.waitFor((e) => e.orderId === orderId && e.status === 'ACCEPTED', 'ACCEPTED');

      const driverAlert = await receiveAlert(h, 'drivers', orderId);
      expect(JSON.parse(driverAlert.body)).toMatchObject({ type: 'Order.ReadyForPickup', orderId, status: 'ACCEPTED' });

      const { pickupOrder } = await call<{ pickupOrder: Order }>(PICKUP_ORDER, { input: { orderId, driverId: 'driver-7' } });
      expect(pickupOrder.status).toBe('OUT_FOR_DELIVERY');
      await sub.waitFor((e) => e.orderId === orderId && e.status === 'OUT_FOR_DELIVERY', 'OUT_FOR_DELIVERY');
      // Offline there is no routing key, so the labelled straight-line estimate stands in.
      const eta = await sub.waitFor((e) => e.orderId === orderId && e.estimateSource !== null, 'the delivery estimate');
      expect(eta.estimateSource).toBe('STRAIGHT_LINE');
      expect(eta.deliveryEstimatedAt).not.toBeNull();

      const { getOrder } = await call<{ getOrder: Order }>(GET_ORDER, { orderId });
      expect(getOrder).toMatchObject({ status: 'OUT_FOR_DELIVERY', driverId: 'driver-7', estimateSource: 'STRAIGHT_LINE' });
      expect(await executionStatus(h, orderId)).toBe('RUNNING');

      // Only the driver who picked it up can hand it over.
      expect(await errorTypeOf(call(COMPLETE_DELIVERY, { input: { orderId, driverId: 'driver-8' } }))).toBe('Unauthorized');
      const { completeDelivery } = await call<{ completeDelivery: Order }>(COMPLETE_DELIVERY, { input: { orderId, driverId: 'driver-7' } });
      expect(completeDelivery.status).toBe('DELIVERED');
      expect(completeDelivery.deliveredAt).not.toBeNull();
      await sub.waitFor((e) => e.orderId === orderId && e.status === 'DELIVERED', 'DELIVERED');
      expect(
        await eventually(async () => ((await executionStatus(h, orderId)) === 'SUCCEEDED' ? true : undefined), 'the execution to succeed'),
      ).toBe(true);

      // Each change reached the subscriber once, in order.
      const versions = sub.events.filter((e) => e.orderId === orderId).map((e) => e.version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      expect(new Set(versions).size).toBe(versions.length);
      expect(sub.events.filter((e) => e.orderId === orderId).map((e) => e.status)).toEqual(
        expect.arrayContaining(['PLACED', 'ACCEPTED', 'OUT_FOR_DELIVERY', 'DELIVERED']),
      );
    } finally {
      sub.unsubscribe();
    }
  });

  it('decline path: the workflow ends with the order DECLINED and no driver alert', async () => {
    const { placeOrder } = await call<{ placeOrder: Order }>(PLACE_ORDER, { input: orderInput() });
    const orderId = placeOrder.orderId;
    const sub = await subscribe(h, { orderId });
    try {
      await receiveAlert(h, STORE_QUEUE, orderId);
      const { decideOrder } = await call<{ decideOrder: Order }>(DECIDE_ORDER, {
        input: { orderId, storeId: SEED_STORE_ID, decision: 'DECLINE', reason: 'Out of dough' },
      });
      expect(decideOrder).toMatchObject({ status: 'DECLINED', declineReason: 'Out of dough' });
      await sub.waitFor((e) => e.status === 'DECLINED', 'DECLINED');
      expect(
        await eventually(async () => ((await executionStatus(h, orderId)) === 'SUCCEEDED' ? true : undefined), 'the execution to end'),
      ).toBe(true);
      const { getOrder } = await call<{ getOrder: Order }>(GET_ORDER, { orderId });
      expect(getOrder.status).toBe('DECLINED');
    } finally {
      sub.unsubscribe();
    }
  });

  it('cancel path: a customer cancels before the store decides; the store can no longer accept', async () => {
    const { placeOrder } = await call<{ placeOrder: Order }>(PLACE_ORDER, { input: orderInput() });
    const orderId = placeOrder.orderId;
    await receiveAlert(h, STORE_QUEUE, orderId);
    const { cancelOrder } = await call<{ cancelOrder: Order }>(CANCEL_ORDER, { input: { orderId } });
    expect(cancelOrder).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_CANCELLED' });
    expect(
      await eventually(async () => ((await executionStatus(h, orderId)) === 'SUCCEEDED' ? true : undefined), 'the execution to end'),
    ).toBe(true);
  });

  it("lists a store's orders newest first", async () => {
    const placed: string[] = [];
    for (let i = 0; i < 3; i++) placed.push((await call<{ placeOrder: Order }>(PLACE_ORDER, { input: orderInput() })).placeOrder.orderId);

    const { ordersByStore } = await call<{ ordersByStore: { items: { orderId: string; createdAt: string }[] } }>(ORDERS_BY_STORE, {
      storeId: SEED_STORE_ID,
      limit: 10,
    });

    expect(ordersByStore.items.map((o) => o.orderId)).toEqual(expect.arrayContaining(placed));
    const times = ordersByStore.items.map((o) => o.createdAt);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('never lets a task token reach a client, an alert or a log line', async () => {
    const seen: string[] = [];
    const record = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
      const data = await call<T>(query, variables);
      seen.push(JSON.stringify(data));
      return data;
    };
    const orderTokens = async (orderId: string) => {
      const order = (await scanOrders(h)).find((o) => o.orderId === orderId);
      return [order?.storeTaskToken, order?.driverTaskToken, order?.deliveryTaskToken].filter((t): t is string => typeof t === 'string');
    };
    const { placeOrder } = await record<{ placeOrder: Order }>(PLACE_ORDER, { input: orderInput() });
    const orderId = placeOrder.orderId;
    seen.push((await receiveAlert(h, STORE_QUEUE, orderId)).body);
    seen.push(JSON.stringify(await record(GET_ORDER, { orderId })));
    await record(DECIDE_ORDER, { input: { orderId, storeId: SEED_STORE_ID, decision: 'ACCEPT' } });
    seen.push((await receiveAlert(h, 'drivers', orderId)).body);
    await record(PICKUP_ORDER, { input: { orderId, driverId: 'driver-9' } });
    // The delivery wait attaches its token asynchronously, after the pickup is acknowledged.
    await eventually(async () => ((await orderTokens(orderId)).length === 3 ? true : undefined), 'the delivery task token');
    await record(GET_ORDER, { orderId });
    await record(COMPLETE_DELIVERY, { input: { orderId, driverId: 'driver-9' } });

    const tokens = await orderTokens(orderId);
    expect(tokens).toHaveLength(3);
    const everything = [...seen, ...h.logs].join('\n');
    for (const token of tokens) expect(everything).not.toContain(token);
  });
});
