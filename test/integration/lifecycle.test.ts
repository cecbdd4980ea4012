/**
 * The order lifecycle end to end on the local stack, through the real aws-amplify v6 client, each
 * step by the party it belongs to (a customer places, the store decides, a driver picks up and
 * delivers): GraphQL over HTTP, the subscription over AppSync's realtime protocol, SNS → SQS
 * alerts and the Step Functions workflow resumed by task tokens that never leave the backend;
 * the operator's metrics summary (GET /local/metrics) counting those lifecycles from the Lambdas'
 * EMF lines.
 */
import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order, Store } from '../../generated/graphql.js';
import { AssignStaffDocument, CreateStoreDocument, SetStoreOpenDocument } from '../../generated/operations.js';
import { streamFailureQueueName } from '../../infra/manifest-plan.js';
import { SEED_STORE_ID } from '../../infra/seed-stores.js';
import type { StreamFailureRecord } from '../../local/dynamodb/stream-failure.js';
import { METRICS_PATH } from '../../local/metrics/index.js';
import { LOCAL_CREDENTIALS } from '../../local/util/aws.js';
import { orderFigures, parseMetricsSummary, type OrderFigures } from '../../web-demo/src/metrics.js';
import {
  errorTypeOf,
  eventually,
  executionStatus,
  orderInput,
  receiveAlert,
  scanOrders,
  signInParty,
  startHarness,
  subscribe,
  type Harness,
  type Party,
  gql,
} from './harness.js';
import {
  CANCEL_ORDER,
  COMPLETE_DELIVERY,
  DECIDE_ORDER,
  GET_ORDER,
  LIST_STORES,
  MY_ORDERS,
  ORDERS_BY_STORE,
  ORDERS_FOR_PICKUP,
  PICKUP_ORDER,
  PLACE_ORDER,
} from './operations.js';

let h: Harness;
let customer: Party;
let store: Party;
let driver: Party;

beforeAll(async () => {
  h = await startHarness();
  customer = await h.party('customer1');
  store = await h.party('store1');
  driver = await h.party('driver1');
});

afterAll(async () => {
  await h?.stop();
});

const STORE_QUEUE = `store-${SEED_STORE_ID}`;

/** GET /local/metrics on this stack (local/metrics). */
const metricsUrl = () => h.stack.graphqlUrl.replace(/\/graphql$/, METRICS_PATH);

function read(headers: Record<string, string> = {}, method = 'GET'): Promise<Response> {
  return fetch(metricsUrl(), { method, headers });
}

async function figuresAs(party: Party): Promise<OrderFigures> {
  const response = await read({ authorization: party.token });
  expect(response.status).toBe(200);
  return orderFigures(parseMetricsSummary(await response.json()));
}

async function placeId(customer: Party): Promise<string> {
  const { placeOrder } = await gql<{ placeOrder: Order }>(customer, PLACE_ORDER, { input: orderInput() });
  return placeOrder.orderId;
}

// First in the file: it counts from a stack no order has touched yet.
describe("GET /local/metrics (the operator view's summary of the Lambdas' EMF metrics)", () => {
  it('counts a delivered order and a cancelled one, with their durations, from the Lambdas’ EMF lines', async () => {
    const [customer, store, driver, operator] = await Promise.all([
      h.party('customer1'),
      h.party('store1'),
      h.party('driver1'),
      h.party('operator'),
    ]);
    const before = await figuresAs(operator);
    expect(before.counts.OrderPlaced).toBe(0);
    expect(before.durations.TimeToDecision).toBeNull();

    const delivered = await placeId(customer);
    await gql(store, DECIDE_ORDER, { input: { orderId: delivered, decision: 'ACCEPT' } });
    await gql(driver, PICKUP_ORDER, { input: { orderId: delivered } });
    // The workflow writes the ETA before it waits for the delivery.
    await eventually(async () => {
      const { getOrder } = await gql<{ getOrder: Order }>(customer, GET_ORDER, { orderId: delivered });
      return getOrder.estimateSource === null ? undefined : true;
    }, 'the delivery estimate');
    await gql(driver, COMPLETE_DELIVERY, { input: { orderId: delivered } });
    const cancelled = await placeId(customer);
    await gql(customer, CANCEL_ORDER, { input: { orderId: cancelled } });

    const after = await eventually(async () => {
      const figures = await figuresAs(operator);
      return figures.counts.OrderDelivered === 1 && figures.counts.OrderCancelled === 1 ? figures : undefined;
    }, 'the metrics summary to count the delivery and the cancellation');

    expect(after.counts).toEqual({ OrderPlaced: 2, OrderAccepted: 1, OrderDeclined: 0, OrderCancelled: 1, OrderDelivered: 1 });
    expect(after.cancelledByReason).toEqual([{ reason: 'CUSTOMER_CANCELLED', count: 1 }]);
    expect(after.durations.TimeToDecision?.samples).toBe(1);
    expect(after.durations.TimeToDelivery?.samples).toBe(1);
    // Delivery comes after the decision, for the same order.
    expect(after.durations.TimeToDelivery?.max).toBeGreaterThanOrEqual(after.durations.TimeToDecision?.max ?? Infinity);
    // The EMF lines still reach the stack's log output, unchanged.
    expect(h.logs.some((line) => line.includes('"_aws"') && line.includes('"OrderDelivered"'))).toBe(true);
  });

  it('refuses everyone but an operator, and anything but GET', async () => {
    const customer = await h.party('customer2');
    const staff = await h.party('store2');

    const refusals = {
      none: await read(),
      apiKey: await read({ 'x-api-key': h.stack.apiKey }),
      forged: await read({ authorization: `${customer.token.slice(0, -4)}AAAA` }),
      customer: await read({ authorization: customer.token }),
      staff: await read({ authorization: staff.token }),
      post: await read({ authorization: (await h.party('operator')).token }, 'POST'),
    };

    for (const response of [refusals.none, refusals.apiKey, refusals.forged]) {
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }],
      });
    }
    for (const response of [refusals.customer, refusals.staff]) {
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ errors: [{ errorType: 'Unauthorized' }] });
    }
    expect(refusals.post.status).toBe(405);
    expect(refusals.post.headers.get('allow')).toBe('GET');
  });
});

describe('the order lifecycle', () => {
  it('lists the seeded stores, the original seed store among them, to a visitor with the API key and to a signed-in customer', async () => {
    for (const client of [h.apiKey, customer]) {
      const { listStores } = await gql<{ listStores: { storeId: string; coordinates: { latitude: number } }[] }>(client, LIST_STORES);
      expect(listStores.find((s) => s.storeId === SEED_STORE_ID)?.coordinates.latitude).toBeCloseTo(51.049, 3);
    }
  });

  it('accept path: PLACED → ACCEPTED → OUT_FOR_DELIVERY → DELIVERED, live, with SQS alerts and an ETA', async () => {
    const sub = await subscribe(store);
    try {
      const { placeOrder } = await gql<{ placeOrder: Order }>(customer, PLACE_ORDER, { input: orderInput() });
      expect(placeOrder).toMatchObject({ status: 'PLACED', customerId: customer.sub });
      const orderId = placeOrder.orderId;
      await sub.waitFor((e) => e.orderId === orderId && e.status === 'PLACED', 'PLACED');

      const storeAlert = await receiveAlert(h, STORE_QUEUE, orderId);
      expect(JSON.parse(storeAlert.body)).toMatchObject({ type: 'Order.Placed', orderId, storeId: SEED_STORE_ID });
      expect(storeAlert.attributes.storeId).toBe(SEED_STORE_ID);

      const { decideOrder } = await gql<{ decideOrder: Order }>(store, DECIDE_ORDER, { input: { orderId, decision: 'ACCEPT' } });
      expect(decideOrder.status).toBe('ACCEPTED');
      expect(decideOrder.dispatchEstimatedAt).not.toBeNull();
      await sub.waitFor((e) => e.orderId === orderId && e.status === 'ACCEPTED', 'ACCEPTED');

      const driverAlert = await receiveAlert(h, 'drivers', orderId);
      expect(JSON.parse(driverAlert.body)).toMatchObject({ type: 'Order.ReadyForPickup', orderId, status: 'ACCEPTED' });

      const { pickupOrder } = await gql<{ pickupOrder: Order }>(driver, PICKUP_ORDER, { input: { orderId } });
      expect(pickupOrder).toMatchObject({ status: 'OUT_FOR_DELIVERY', driverId: driver.sub });
      const out = await sub.waitFor((e) => e.orderId === orderId && e.status === 'OUT_FOR_DELIVERY', 'OUT_FOR_DELIVERY');
      // Offline there is no routing key, so the labelled straight-line estimate stands in.
      const eta = await sub.waitFor((e) => e.orderId === orderId && e.estimateSource !== null, 'the delivery estimate');
      expect(eta.estimateSource).toBe('STRAIGHT_LINE');
      expect(eta.deliveryEstimatedAt).not.toBeNull();
      // The ETA (written with the delivery wait's token) is a version of its own, right after the pickup's.
      expect(out.estimateSource).toBeNull();
      expect(eta.version).toBe(out.version + 1);

      const { getOrder } = await gql<{ getOrder: Order }>(customer, GET_ORDER, { orderId });
      expect(getOrder).toMatchObject({ status: 'OUT_FOR_DELIVERY', driverId: driver.sub, estimateSource: 'STRAIGHT_LINE' });
      expect(await executionStatus(h, orderId)).toBe('RUNNING');

      // Only the driver who picked it up can hand it over.
      const otherDriver = await h.party('driver2');
      expect(await errorTypeOf(gql(otherDriver, COMPLETE_DELIVERY, { input: { orderId } }))).toBe('Unauthorized');
      const { completeDelivery } = await gql<{ completeDelivery: Order }>(driver, COMPLETE_DELIVERY, { input: { orderId } });
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
    const { placeOrder } = await gql<{ placeOrder: Order }>(customer, PLACE_ORDER, { input: orderInput() });
    const orderId = placeOrder.orderId;
    const sub = await subscribe(customer, { orderId });
    try {
      await receiveAlert(h, STORE_QUEUE, orderId);
      const { decideOrder } = await gql<{ decideOrder: Order }>(store, DECIDE_ORDER, {
        input: { orderId, decision: 'DECLINE', reason: 'Out of dough' },
      });
      expect(decideOrder).toMatchObject({ status: 'DECLINED', declineReason: 'Out of dough' });
      await sub.waitFor((e) => e.status === 'DECLINED', 'DECLINED');
      expect(
        await eventually(async () => ((await executionStatus(h, orderId)) === 'SUCCEEDED' ? true : undefined), 'the execution to end'),
      ).toBe(true);
      const { getOrder } = await gql<{ getOrder: Order }>(customer, GET_ORDER, { orderId });
      expect(getOrder.status).toBe('DECLINED');
    } finally {
      sub.unsubscribe();
    }
  });

  it('cancel path: a customer cancels before the store decides; the store can no longer accept', async () => {
    const { placeOrder } = await gql<{ placeOrder: Order }>(customer, PLACE_ORDER, { input: orderInput() });
    const orderId = placeOrder.orderId;
    await receiveAlert(h, STORE_QUEUE, orderId);
    const { cancelOrder } = await gql<{ cancelOrder: Order }>(customer, CANCEL_ORDER, { input: { orderId } });
    expect(cancelOrder).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_CANCELLED' });
    expect(await errorTypeOf(gql(store, DECIDE_ORDER, { input: { orderId, decision: 'ACCEPT' } }))).toBe('InvalidTransition');
    expect(
      await eventually(async () => ((await executionStatus(h, orderId)) === 'SUCCEEDED' ? true : undefined), 'the execution to end'),
    ).toBe(true);
  });

  it("delivers every order's changes in order while many orders change at once (the stream read several batches wide)", async () => {
    const customers = [customer, await h.party('customer2')];
    const sub = await subscribe(await h.party('operator'));
    try {
      // 20 orders, each placed and at once accepted, all at the same time: their changes (and the
      // workflow's own writes) interleave in the stream.
      const orders = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const { placeOrder } = await gql<{ placeOrder: Order }>(customers[i % customers.length] ?? customer, PLACE_ORDER, {
            input: orderInput(),
          });
          const { decideOrder } = await gql<{ decideOrder: Order }>(store, DECIDE_ORDER, {
            input: { orderId: placeOrder.orderId, decision: 'ACCEPT' },
          });
          return { orderId: placeOrder.orderId, placed: placeOrder.version, accepted: decideOrder.version };
        }),
      );
      for (const { orderId, accepted } of orders) {
        await sub.waitFor((e) => e.orderId === orderId && e.version >= accepted, `order ${orderId} at version ${accepted}`);
      }

      // Per order, in arrival order: versions strictly increasing, the placement and the acceptance among them.
      const arrived = new Map(orders.map((o) => [o.orderId, sub.events.filter((e) => e.orderId === o.orderId).map((e) => e.version)]));
      for (const { orderId, placed, accepted } of orders) {
        const versions = arrived.get(orderId) ?? [];
        expect(versions, orderId).toEqual([...new Set(versions)].sort((a, b) => a - b));
        expect(versions, orderId).toEqual(expect.arrayContaining([placed, accepted]));
      }
    } finally {
      sub.unsubscribe();
    }
  });

  it("lists a store's orders newest first, and a customer's own", async () => {
    const placed: string[] = [];
    for (let i = 0; i < 3; i++) {
      placed.push((await gql<{ placeOrder: Order }>(customer, PLACE_ORDER, { input: orderInput() })).placeOrder.orderId);
    }
    type Page = { items: { orderId: string; createdAt: string }[] };

    const { ordersByStore } = await gql<{ ordersByStore: Page }>(store, ORDERS_BY_STORE, { limit: 10 });
    const { myOrders } = await gql<{ myOrders: Page }>(customer, MY_ORDERS, { limit: 10 });

    for (const page of [ordersByStore, myOrders]) {
      expect(page.items.map((o) => o.orderId)).toEqual(expect.arrayContaining(placed));
      const times = page.items.map((o) => o.createdAt);
      expect(times).toEqual([...times].sort().reverse());
    }
  });

  it('never lets a task token reach a client, an alert or a log line', async () => {
    const seen: string[] = [];
    const record = async <T>(party: Party, query: string, variables: Record<string, unknown>): Promise<T> => {
      const data = await gql<T>(party, query, variables);
      seen.push(JSON.stringify(data));
      return data;
    };
    const orderTokens = async (orderId: string) => {
      const order = (await scanOrders(h)).find((o) => o.orderId === orderId);
      return [order?.storeTaskToken, order?.driverTaskToken, order?.deliveryTaskToken].filter((t): t is string => typeof t === 'string');
    };
    const { placeOrder } = await record<{ placeOrder: Order }>(customer, PLACE_ORDER, { input: orderInput() });
    const orderId = placeOrder.orderId;
    seen.push((await receiveAlert(h, STORE_QUEUE, orderId)).body);
    seen.push(JSON.stringify(await record(store, GET_ORDER, { orderId })));
    await record(store, DECIDE_ORDER, { input: { orderId, decision: 'ACCEPT' } });
    seen.push((await receiveAlert(h, 'drivers', orderId)).body);
    await record(driver, ORDERS_FOR_PICKUP, {});
    await record(driver, PICKUP_ORDER, { input: { orderId } });
    // The delivery wait attaches its token asynchronously, after the pickup is acknowledged.
    await eventually(async () => ((await orderTokens(orderId)).length === 3 ? true : undefined), 'the delivery task token');
    await record(customer, GET_ORDER, { orderId });
    await record(driver, COMPLETE_DELIVERY, { input: { orderId } });

    const tokens = await orderTokens(orderId);
    expect(tokens).toHaveLength(3);
    const everything = [...seen, ...h.logs].join('\n');
    for (const token of tokens) expect(everything).not.toContain(token);
  });
});

/**
 * infra/README.md's runbook "Stream publisher failures: find, fix, redrive", step by step, with the
 * SDK calls its aws CLI commands make.
 */
describe('a stream record the publisher cannot publish', () => {
  it('lands on the failure queue; it is found in the stream, fixed and redriven, while other orders keep flowing', async () => {
    const orders = h.stack.tableName('Orders');
    const failureQueue = h.stack.queueUrl(streamFailureQueueName('publishOrderUpdate'));
    const sub = await subscribe(store);
    const streams = new DynamoDBStreamsClient({
      endpoint: h.stack.endpoints.dynamodb,
      region: h.stack.region,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      // The poison: a copy of a real order, written straight into the table (as a script or a
      // migration might) with a pie size the schema does not have. Its item is readable, so the
      // publisher sends it, and AppSync refuses to serialize it: publishing fails on every attempt.
      const { placeOrder: template } = await gql<{ placeOrder: Order }>(customer, PLACE_ORDER, { input: orderInput() });
      await sub.waitFor((e) => e.orderId === template.orderId, 'the template order');
      const stored = await h.dynamodb.send(
        new GetItemCommand({ TableName: orders, Key: marshall({ orderId: template.orderId }), ConsistentRead: true }),
      );
      const { storeTaskToken: _token, ...item } = unmarshall(stored.Item ?? {});
      const pies = item.pies as { size: string }[];
      const poisonId = randomUUID();
      await h.dynamodb.send(
        new PutItemCommand({
          TableName: orders,
          Item: marshall({
            ...item,
            orderId: poisonId,
            idempotencyKey: `poison-${poisonId}`,
            pies: pies.map((p) => ({ ...p, size: 'GIGANTIC' })),
          }),
        }),
      );
      // Another order right behind it reaches its subscribers all the same.
      const { placeOrder: next } = await gql<{ placeOrder: Order }>(customer, PLACE_ORDER, { input: orderInput() });
      await sub.waitFor((e) => e.orderId === next.orderId && e.status === 'PLACED', 'the order placed after the poison');

      // 1. Find: the on-failure record says where the discarded records are.
      const failure = await eventually(async () => {
        const out = await h.sqs.send(new ReceiveMessageCommand({ QueueUrl: failureQueue, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        const message = out.Messages?.[0];
        if (message === undefined) return undefined;
        await h.sqs.send(new DeleteMessageCommand({ QueueUrl: failureQueue, ReceiptHandle: message.ReceiptHandle }));
        return JSON.parse(message.Body ?? '') as StreamFailureRecord;
      }, 'the on-failure record');
      const { Table } = await h.dynamodb.send(new DescribeTableCommand({ TableName: orders }));
      expect(failure).toMatchObject({
        requestContext: { condition: 'RetryAttemptsExhausted', functionArn: expect.stringContaining(':function:') },
        version: '1.0',
        DDBStreamBatchInfo: { streamArn: Table?.LatestStreamArn },
      });
      expect(failure.requestContext.functionArn).toContain('publishOrderUpdate');
      const info = failure.DDBStreamBatchInfo;
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: info.streamArn,
          ShardId: info.shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          SequenceNumber: info.startSequenceNumber,
        }),
      );
      const { Records = [] } = await streams.send(new GetRecordsCommand({ ShardIterator, Limit: info.batchSize }));
      expect(Records).toHaveLength(info.batchSize);
      expect(Records[0]?.dynamodb?.SequenceNumber).toBe(info.startSequenceNumber);
      expect(Records.at(-1)?.dynamodb?.SequenceNumber).toBe(info.endSequenceNumber);
      // The first discarded record is the poison (the publisher reported it; the batch was cut there).
      expect(Records[0]?.dynamodb?.Keys?.orderId?.S).toBe(poisonId);
      expect(Records[0]?.dynamodb?.NewImage?.pies?.L?.[0]?.M?.size?.S).toBe('GIGANTIC');
      expect(sub.events.some((e) => e.orderId === poisonId)).toBe(false);

      // 2. Fix the item and 3. redrive: the fix is a new change of the order, so a new stream record
      // that the publisher publishes.
      const fixed = await h.dynamodb.send(
        new UpdateItemCommand({
          TableName: orders,
          Key: marshall({ orderId: poisonId }),
          UpdateExpression: 'SET pies = :pies, version = version + :one, updatedAt = :now',
          ExpressionAttributeValues: marshall({ ':pies': pies, ':one': 1, ':now': new Date().toISOString() }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      const version = Number(fixed.Attributes?.version?.N);
      const published = await sub.waitFor((e) => e.orderId === poisonId && e.version === version, 'the fixed order');
      expect(published.storeId).toBe(SEED_STORE_ID);

      // The checkpoint moved past the fix without another failure.
      await h.stack.drainStreams();
      const after = await h.sqs.send(new ReceiveMessageCommand({ QueueUrl: failureQueue, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      expect(after.Messages ?? []).toEqual([]);
    } finally {
      sub.unsubscribe();
      streams.destroy();
    }
  });
});

describe('a store an operator onboards (stores are data)', () => {
  const coordinates = { latitude: 51.0447, longitude: -114.0719 };

  /** A new store, created through the API by the operator (never the seed store: other tests order from it). */
  async function onboard(name: string): Promise<Store> {
    const storeId = `it-${randomUUID().slice(0, 8)}`;
    const { createStore } = await gql<{ createStore: Store }>(await h.party('operator'), CreateStoreDocument, {
      input: { storeId, name, coordinates },
    });
    return createStore;
  }

  it('receives the alert of an order placed at it in its own new queue, with no deploy', async () => {
    const store = await onboard('Onboarded Slice');
    expect(store).toEqual({ storeId: store.storeId, name: 'Onboarded Slice', coordinates, open: true });
    const { listStores } = await gql<{ listStores: Store[] }>(customer, LIST_STORES);
    expect(listStores.find((s) => s.storeId === store.storeId)).toEqual(store);

    // Its queue has the settings of the declared queues: a dead-letter queue (the stores' one) after 5 receives, 14 days, SSE.
    const queue = `store-${store.storeId}`;
    const { Attributes = {} } = await h.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: h.stack.queueUrl(queue), AttributeNames: ['All'] }),
    );
    expect(JSON.parse(Attributes.RedrivePolicy ?? '{}')).toMatchObject({
      deadLetterTargetArn: expect.stringMatching(/:store-dlq$/),
      maxReceiveCount: 5,
    });
    expect(Attributes).toMatchObject({ MessageRetentionPeriod: '1209600', SqsManagedSseEnabled: 'true' });

    const { placeOrder } = await gql<{ placeOrder: Order }>(customer, PLACE_ORDER, { input: orderInput({ storeId: store.storeId }) });
    const alert = await receiveAlert(h, queue, placeOrder.orderId);
    expect(JSON.parse(alert.body)).toMatchObject({ type: 'Order.Placed', orderId: placeOrder.orderId, storeId: store.storeId });
    expect(alert.attributes.storeId).toBe(store.storeId);
    // The filter keeps it out of the other stores' queues: everything the seed store's queue holds
    // up to the alert of an order placed after it (its publish came later) is someone else's.
    const { placeOrder: seedOrder } = await gql<{ placeOrder: Order }>(customer, PLACE_ORDER, { input: orderInput() });
    const seedQueue = h.stack.queueUrl(STORE_QUEUE);
    const seen: string[] = [];
    await eventually(async () => {
      const out = await h.sqs.send(new ReceiveMessageCommand({ QueueUrl: seedQueue, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      for (const m of out.Messages ?? []) {
        seen.push(m.Body ?? '');
        await h.sqs.send(new DeleteMessageCommand({ QueueUrl: seedQueue, ReceiptHandle: m.ReceiptHandle }));
      }
      return seen.some((body) => body.includes(seedOrder.orderId)) ? true : undefined;
    }, `the alert for ${seedOrder.orderId} on ${STORE_QUEUE}`);
    expect(seen.filter((body) => body.includes(placeOrder.orderId))).toEqual([]);
  });

  it("dead-letters an alert its store system keeps failing on into the stores' one dead-letter queue, which redrives it to that store", async () => {
    const store = await onboard('Failing Till');
    const queue = `store-${store.storeId}`;
    const queueUrl = h.stack.queueUrl(queue);
    const dlqUrl = h.stack.dlqUrl(queue);
    // The queue the stack alarms on by name (infra/cdk/monitoring.ts), whatever the store.
    expect(dlqUrl.endsWith('/store-dlq')).toBe(true);
    const { placeOrder } = await gql<{ placeOrder: Order }>(customer, PLACE_ORDER, { input: orderInput({ storeId: store.storeId }) });
    const isAlert = (body: string | undefined) => body?.includes(placeOrder.orderId) === true;

    // A store system that fails on the alert: it receives it and never deletes it. After five
    // receives (maxReceiveCount) the next one moves it to the dead-letter queue.
    let receives = 0;
    const dead = await eventually(async () => {
      const out = await h.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 0, WaitTimeSeconds: 1 }));
      receives += (out.Messages ?? []).filter((m) => isAlert(m.Body)).length;
      const inDlq = await h.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30, MessageAttributeNames: ['All'] }),
      );
      return inDlq.Messages?.find((m) => isAlert(m.Body));
    }, `the alert for ${placeOrder.orderId} on store-dlq`);
    expect(receives).toBe(5);
    // The runbook finds the store from the message attribute, and sends the alert back to its queue.
    const storeId = dead.MessageAttributes?.storeId?.StringValue;
    expect(storeId).toBe(store.storeId);
    await h.sqs.send(
      new SendMessageCommand({
        QueueUrl: h.stack.queueUrl(`store-${storeId}`),
        MessageBody: dead.Body,
        MessageAttributes: { storeId: { DataType: 'String', StringValue: storeId } },
      }),
    );
    await h.sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: dead.ReceiptHandle }));
    const redriven = await receiveAlert(h, queue, placeOrder.orderId);
    expect(JSON.parse(redriven.body)).toMatchObject({ type: 'Order.Placed', orderId: placeOrder.orderId, storeId: store.storeId });
    expect(redriven.attributes.storeId).toBe(store.storeId);
  });

  it("lets a staff account the operator assigns, once signed in again, see and decide the store's orders", async () => {
    const store = await onboard('Assigned Ovens');
    const before = await h.party('store3');
    expect(before.storeId).not.toBe(store.storeId);
    const { assignStaff } = await gql<{ assignStaff: { storeId: string; username: string } }>(
      await h.party('operator'),
      AssignStaffDocument,
      {
        input: { storeId: store.storeId, username: before.username },
      },
    );
    expect(assignStaff).toEqual({ storeId: store.storeId, username: before.username });

    const { placeOrder } = await gql<{ placeOrder: Order }>(customer, PLACE_ORDER, { input: orderInput({ storeId: store.storeId }) });
    await receiveAlert(h, `store-${store.storeId}`, placeOrder.orderId);
    // The groups travel in the token: the assignment shows from the next sign-in.
    const staff = await signInParty(h.stack.demoUsers, 'store3');
    const claims = JSON.parse(Buffer.from(staff.token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims['cognito:groups']).toEqual(expect.arrayContaining(['stores', `store:${store.storeId}`]));
    expect(claims['cognito:groups']).toHaveLength(2);
    const { ordersByStore } = await gql<{ ordersByStore: { items: Order[] } }>(staff, ORDERS_BY_STORE, { limit: 10 });
    expect(ordersByStore.items.map((o) => o.orderId)).toEqual([placeOrder.orderId]);
    const { decideOrder } = await gql<{ decideOrder: Order }>(staff, DECIDE_ORDER, {
      input: { orderId: placeOrder.orderId, decision: 'ACCEPT' },
    });
    expect(decideOrder.status).toBe('ACCEPTED');
  });

  it('refuses new orders with StoreClosed once closed, writing nothing, while an order placed before goes on', async () => {
    const store = await onboard('Closing Crust');
    const operator = await h.party('operator');
    const { placeOrder: earlier } = await gql<{ placeOrder: Order }>(customer, PLACE_ORDER, {
      input: orderInput({ storeId: store.storeId }),
    });
    await receiveAlert(h, `store-${store.storeId}`, earlier.orderId);

    const { setStoreOpen } = await gql<{ setStoreOpen: Store }>(operator, SetStoreOpenDocument, {
      input: { storeId: store.storeId, open: false },
    });
    expect(setStoreOpen).toEqual({ ...store, open: false });
    const { listStores } = await gql<{ listStores: Store[] }>(h.apiKey, LIST_STORES);
    expect(listStores.find((s) => s.storeId === store.storeId)?.open).toBe(false);

    const before = (await scanOrders(h)).filter((o) => o.storeId === store.storeId).length;
    expect(await errorTypeOf(gql(customer, PLACE_ORDER, { input: orderInput({ storeId: store.storeId }) }))).toBe('StoreClosed');
    expect((await scanOrders(h)).filter((o) => o.storeId === store.storeId)).toHaveLength(before);

    // The earlier order goes on: its workflow still waits for the store, and its customer can still cancel it.
    const { cancelOrder } = await gql<{ cancelOrder: Order }>(customer, CANCEL_ORDER, { input: { orderId: earlier.orderId } });
    expect(cancelOrder.status).toBe('CANCELLED');

    // Reopened, it takes orders again.
    await gql(operator, SetStoreOpenDocument, { input: { storeId: store.storeId, open: true } });
    const { placeOrder: later } = await gql<{ placeOrder: Order }>(customer, PLACE_ORDER, {
      input: orderInput({ storeId: store.storeId }),
    });
    expect(later.status).toBe('PLACED');
  });

  it('answers an unknown store with NotFound and bad input with ValidationError', async () => {
    const operator = await h.party('operator');
    expect(await errorTypeOf(gql(operator, SetStoreOpenDocument, { input: { storeId: 'no-such-store', open: false } }))).toBe('NotFound');
    expect(
      await errorTypeOf(gql(operator, AssignStaffDocument, { input: { storeId: 'no-such-store', username: 'store3@pizza.example' } })),
    ).toBe('NotFound');
    expect(await errorTypeOf(gql(operator, CreateStoreDocument, { input: { name: '   ', coordinates } }))).toBe('ValidationError');
    expect(await errorTypeOf(gql(operator, CreateStoreDocument, { input: { storeId: 'has space', name: 'x', coordinates } }))).toBe(
      'ValidationError',
    );
    expect(await errorTypeOf(gql(operator, CreateStoreDocument, { input: { storeId: SEED_STORE_ID, name: 'Again', coordinates } }))).toBe(
      'ValidationError',
    );
  });
});
