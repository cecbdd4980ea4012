/**
 * Unit tests of the handlers' domain operations with fake repositories and clients (each test
 * checks one module's decisions; the real wiring is covered by test/integration).
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { PublishCommand } from '@aws-sdk/client-sns';
import { SendTaskFailureCommand, SendTaskSuccessCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { describe, expect, it, vi } from 'vitest';
import type { OrderRecord } from '../domain/order.js';
import type { Party } from '../domain/party.js';
import type { PlaceOrderCommand } from '../domain/validation.js';
import { orderRecord } from '../test/factories.js';
import { awaitDelivery, parseAwaitDeliveryEvent, type AwaitDeliveryDeps } from './await-delivery.js';
import { awaitParty, parseAwaitPartyEvent, type AwaitPartyDeps } from './await-party.js';
import { cancelOrder, handler as cancelOrderHandler } from './cancel-order.js';
import { completeDelivery } from './complete-delivery.js';
import { decideOrder, handler as decideOrderHandler } from './decide-order.js';
import { parseMutationEvent } from './lib/event.js';
import type { OrderMutationDeps } from './lib/mutation-handler.js';
import { OrderRepository } from './lib/orders.js';
import { failure } from './lib/result.js';
import { StoreRepository } from './lib/stores.js';
import { resumeFor } from './lib/task-wait.js';
import { pickupOrder } from './pickup-order.js';
import { placeOrder, requestHash, type PlaceOrderDeps } from './place-order.js';
import { InvalidTransitionError, ValidationError } from '../domain/errors.js';

const order = orderRecord;

/** Records every command sent, and answers with `reply`. */
function fakeClient(reply: (command: unknown) => unknown = () => ({})) {
  const sent: unknown[] = [];
  return { sent, send: async (command: unknown) => (sent.push(command), reply(command)) };
}

const quiet = { info: () => undefined, error: () => undefined };

const CUSTOMER: Party = { kind: 'customer', customerId: 'c1' };
const STAFF: Party = { kind: 'store', storeId: 's1', userId: 'u1' };
const DRIVER: Party = { kind: 'driver', driverId: 'd1' };
const OPERATOR: Party = { kind: 'operator', userId: 'op' };
const NONE: Party = { kind: 'none' };
const PARTIES: readonly Party[] = [CUSTOMER, STAFF, DRIVER, OPERATOR, NONE];

const placeCommand: PlaceOrderCommand = {
  storeId: 's1',
  paymentId: 'p1',
  pies: [{ size: 'SMALL', cheese: 'SMALL', toppings: [] }],
  deliveryAddress: { coordinates: { latitude: 1, longitude: 2 }, streetAddress: 'a', city: 'b', postalCode: 'c', province: 'd' },
  idempotencyKey: 'key-00000001',
};

function mutationDeps(repo: Partial<OrderRepository>, sfn = fakeClient()): OrderMutationDeps & { sfn: ReturnType<typeof fakeClient> } {
  return { orders: repo as OrderRepository, sfn: sfn as never, now: () => new Date('2026-11-24T01:00:00Z'), log: quiet } as never;
}

describe('decideOrder', () => {
  it('resumes the workflow with the decision when the wait task stored its token', async () => {
    const deps = mutationDeps({ transition: async () => order({ status: 'ACCEPTED', storeTaskToken: 'tok' }) });
    const result = await decideOrder({ orderId: 'o1', decision: 'ACCEPT', reason: null }, STAFF, deps);
    expect(result.status).toBe('ACCEPTED');
    expect(result).not.toHaveProperty('storeTaskToken');
    const [command] = deps.sfn.sent;
    expect(command).toBeInstanceOf(SendTaskSuccessCommand);
    expect((command as SendTaskSuccessCommand).input).toEqual({ taskToken: 'tok', output: '{"decision":"ACCEPT"}' });
  });

  it('leaves the resume to the wait task when no token is stored yet', async () => {
    const deps = mutationDeps({ transition: async () => order({ status: 'DECLINED' }) });
    await decideOrder({ orderId: 'o1', decision: 'DECLINE', reason: 'closed' }, STAFF, deps);
    expect(deps.sfn.sent).toEqual([]);
  });

  it('keeps the decision when the workflow no longer waits (token timed out)', async () => {
    const sfn = fakeClient(() => {
      throw new TaskTimedOut({ message: 'timed out', $metadata: {} });
    });
    const deps = mutationDeps({ transition: async () => order({ status: 'ACCEPTED', storeTaskToken: 'tok' }) }, sfn);
    await expect(decideOrder({ orderId: 'o1', decision: 'ACCEPT', reason: null }, STAFF, deps)).resolves.toMatchObject({
      status: 'ACCEPTED',
    });
  });

  it('still returns the decided order when Step Functions is unavailable, and logs an error', async () => {
    const errors: string[] = [];
    const sfn = fakeClient(() => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    });
    const deps = {
      ...mutationDeps({ transition: async () => order({ status: 'ACCEPTED', storeTaskToken: 'tok' }) }, sfn),
      log: { info: () => undefined, error: (m: string) => void errors.push(m) },
    };
    await expect(decideOrder({ orderId: 'o1', decision: 'ACCEPT', reason: null }, STAFF, deps)).resolves.toMatchObject({
      status: 'ACCEPTED',
    });
    expect(errors).toEqual(['could not resume the workflow; its timeout path will reconcile']);
  });

  it('passes a refused transition on as a typed failure', async () => {
    const deps = mutationDeps({
      transition: async () => {
        throw new InvalidTransitionError('o1', 'ACCEPTED', 'declined');
      },
    });
    const error = await decideOrder({ orderId: 'o1', decision: 'DECLINE', reason: null }, STAFF, deps).catch((e: unknown) => e);
    expect(failure(error)).toEqual({
      ok: false,
      error: {
        errorType: 'InvalidTransition',
        message: 'order o1 is ACCEPTED: it cannot be declined',
        info: { orderId: 'o1', status: 'ACCEPTED' },
      },
    });
  });
});

describe('cancelOrder', () => {
  it('fails the store wait with Order.Cancelled', async () => {
    const deps = mutationDeps({ transition: async () => order({ status: 'CANCELLED', storeTaskToken: 'tok' }) });
    await cancelOrder({ orderId: 'o1' }, CUSTOMER, deps);
    expect((deps.sfn.sent[0] as SendTaskFailureCommand).input).toMatchObject({ taskToken: 'tok', error: 'Order.Cancelled' });
  });
});

describe('awaitParty', () => {
  /** `movedOn`: the order had left the waiting status (as it is now); null: the token was stored. */
  function deps(movedOn: OrderRecord | null, current = order()) {
    const sns = fakeClient();
    const sfn = fakeClient();
    const d: AwaitPartyDeps = {
      orders: {
        attachTaskToken: async () => (movedOn === null ? { stored: true, order: current } : { stored: false, order: movedOn }),
      } as unknown as OrderRepository,
      sns: sns as never,
      sfn: sfn as never,
      topics: { STORE_TOPIC_ARN: 'arn:store', DRIVER_TOPIC_ARN: 'arn:driver' },
      log: quiet,
    };
    return { d, sns, sfn };
  }

  it('stores the token and alerts the store without it', async () => {
    const { d, sns, sfn } = deps(null);
    expect(await awaitParty({ orderId: 'o1', stage: 'STORE_DECISION', taskToken: 'secret-token' }, d)).toEqual({ alerted: true });
    const publish = sns.sent[0] as PublishCommand;
    expect(publish).toBeInstanceOf(PublishCommand);
    expect(publish.input.TopicArn).toBe('arn:store');
    expect(publish.input.MessageAttributes?.storeId?.StringValue).toBe('s1');
    expect(JSON.stringify(publish.input)).not.toContain('secret-token');
    expect(sfn.sent).toEqual([]);
  });

  it('resumes the workflow itself when the store decided before the token was stored', async () => {
    const { d, sns, sfn } = deps(order({ status: 'DECLINED' }));
    expect(await awaitParty({ orderId: 'o1', stage: 'STORE_DECISION', taskToken: 'tok' }, d)).toEqual({ alerted: false });
    expect(sns.sent).toEqual([]);
    expect((sfn.sent[0] as SendTaskSuccessCommand).input).toEqual({ taskToken: 'tok', output: '{"decision":"DECLINE"}' });
  });

  it('maps an order that moved on to the right resume', () => {
    expect(resumeFor('STORE_DECISION', order({ status: 'OUT_FOR_DELIVERY' }))).toEqual({ kind: 'success', output: { decision: 'ACCEPT' } });
    expect(resumeFor('DRIVER_PICKUP', order({ status: 'OUT_FOR_DELIVERY', driverId: 'd1' }))).toEqual({
      kind: 'success',
      output: { driverId: 'd1' },
    });
    expect(resumeFor('DRIVER_PICKUP', order({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_CANCELLED' }))).toEqual({
      kind: 'failure',
      error: 'Order.Cancelled',
      cause: 'CUSTOMER_CANCELLED',
    });
  });

  it('maps a delivery that moved on to its resume', () => {
    expect(resumeFor('DELIVERY', order({ status: 'DELIVERED', deliveredAt: '2026-11-24T02:00:00.000Z' }))).toEqual({
      kind: 'success',
      output: { deliveredAt: '2026-11-24T02:00:00.000Z' },
    });
  });

  it('refuses a malformed workflow event, and the delivery wait (awaitDelivery’s)', () => {
    expect(() => parseAwaitPartyEvent({ orderId: 'o1', stage: 'LUNCH', taskToken: 't' })).toThrow(/STORE_DECISION/);
    expect(() => parseAwaitPartyEvent({ orderId: 'o1', stage: 'DELIVERY', taskToken: 't' })).toThrow(/DRIVER_PICKUP/);
  });
});

describe('awaitDelivery', () => {
  const NOW = new Date('2026-11-24T01:00:00.000Z');
  const STORE_AT = { latitude: 51.05, longitude: -114.07 };
  const event = { orderId: 'o1', storeId: 's1', deliveryCoordinates: { latitude: 51.06, longitude: -114.08 }, taskToken: 'secret-token' };
  const ROUTE = {
    source: 'ROUTING_SERVICE' as const,
    durationSeconds: 600,
    distanceMeters: 4000,
    steps: [{ instruction: 'Head north', distance: 4000, duration: 600 }],
  };

  /**
   * The real repository over a DocumentClient double: the guarded write answers with the order
   * as written, or, when `movedOn` is given, fails its condition and the read returns `movedOn`.
   */
  function deps(options: { movedOn?: OrderRecord; store?: () => Promise<typeof STORE_AT> } = {}) {
    const { doc, orders } = dynamo((command) => {
      if (command instanceof GetCommand) return { Item: options.movedOn };
      if (!(command instanceof UpdateCommand)) throw new Error('unexpected command');
      if (options.movedOn !== undefined) throw conditionFailed();
      return { Attributes: order({ status: 'OUT_FOR_DELIVERY', driverId: 'd1', deliveryTaskToken: 'secret-token' }) };
    });
    const sfn = fakeClient();
    const errors: string[] = [];
    const routed: unknown[] = [];
    const d: AwaitDeliveryDeps = {
      orders,
      sfn: sfn as never,
      storeCoordinates: options.store ?? (async () => STORE_AT),
      route: async (from, to) => (routed.push([from, to]), ROUTE),
      now: () => NOW,
      log: { info: () => undefined, error: (m) => void errors.push(m) },
    };
    return { d, doc, sfn, errors, routed };
  }

  it('routes from the store to the customer and writes the ETA with the token in one guarded write', async () => {
    const { d, doc, sfn, routed } = deps();
    expect(await awaitDelivery(event, d)).toEqual({ estimateSource: 'ROUTING_SERVICE' });
    expect(routed).toEqual([[STORE_AT, event.deliveryCoordinates]]);
    expect(doc.sent).toHaveLength(1);
    const update = doc.sent[0] as UpdateCommand;
    expect(update.input.ConditionExpression).toBe('attribute_exists(orderId) AND #status = :expected');
    expect(update.input.ExpressionAttributeValues?.[':expected']).toBe('OUT_FOR_DELIVERY');
    expect(update.input.ExpressionAttributeNames?.['#token']).toBe('deliveryTaskToken');
    expect(update.input.ExpressionAttributeValues?.[':token']).toBe('secret-token');
    // A version of its own: subscribers see the ETA arrive after the pickup.
    expect(update.input.UpdateExpression).toContain('#version = #version + :one');
    expect(setAttributes(update)).toEqual({
      deliveryEstimatedAt: '2026-11-24T01:10:00.000Z',
      deliverySteps: ROUTE.steps,
      estimateSource: 'ROUTING_SERVICE',
    });
    expect(sfn.sent).toEqual([]);
  });

  it('resumes the workflow itself when the order was delivered before the token was stored', async () => {
    const delivered = order({ status: 'DELIVERED', deliveredAt: '2026-11-24T01:05:00.000Z' });
    const { d, sfn } = deps({ movedOn: delivered });
    expect(await awaitDelivery(event, d)).toEqual({ estimateSource: null });
    expect((sfn.sent[0] as SendTaskSuccessCommand).input).toEqual({
      taskToken: 'secret-token',
      output: '{"deliveredAt":"2026-11-24T01:05:00.000Z"}',
    });
  });

  it('waits without an estimate when the store’s coordinates cannot be read, and logs an error', async () => {
    const { d, doc, errors, routed } = deps({
      store: async () => {
        throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
      },
    });
    expect(await awaitDelivery(event, d)).toEqual({ estimateSource: null });
    expect(routed).toEqual([]);
    const update = doc.sent[0] as UpdateCommand;
    expect(update.input.UpdateExpression).toBe('SET #token = :token');
    expect(errors).toEqual(['no delivery estimate: the store’s coordinates are unavailable']);
  });

  it('refuses a workflow event without the store or the destination', () => {
    expect(parseAwaitDeliveryEvent(event)).toEqual(event);
    expect(() => parseAwaitDeliveryEvent({ ...event, storeId: undefined })).toThrow(/storeId/);
    expect(() => parseAwaitDeliveryEvent({ ...event, deliveryCoordinates: { latitude: 91, longitude: 0 } })).toThrow(/latitude/);
  });
});

describe('placeOrder requestHash', () => {
  it('ignores the key itself and changes with the order and with the customer', () => {
    expect(requestHash(placeCommand, 'c1')).toBe(requestHash({ ...placeCommand, idempotencyKey: 'key-00000002' }, 'c1'));
    expect(requestHash(placeCommand, 'c1')).not.toBe(requestHash({ ...placeCommand, paymentId: 'p2' }, 'c1'));
    expect(requestHash(placeCommand, 'c1')).not.toBe(requestHash(placeCommand, 'c2'));
  });
});

describe('failure()', () => {
  it('rethrows what is not a domain error, so Lambda reports it', () => {
    expect(() => failure(new Error('boom'))).toThrow('boom');
    expect(failure(new ValidationError('pies', 'must have at least one pie'))).toMatchObject({
      ok: false,
      error: { errorType: 'ValidationError' },
    });
  });
});

/** The real repositories over a DocumentClient double that records every command (`sent`). */
function dynamo(reply: (command: unknown) => unknown = () => ({})) {
  const doc = fakeClient(reply);
  const orders = new OrderRepository(doc as never, { orders: 'Orders', idempotency: 'IdempotencyKeys' });
  const stores = new StoreRepository(doc as never, 'Stores');
  return { doc, orders, stores };
}

function orderDeps(orders: OrderRepository): OrderMutationDeps {
  return { orders, sfn: fakeClient() as never, now: () => new Date('2026-11-24T01:00:00Z'), log: quiet };
}

function placeDeps(orders: OrderRepository, stores: StoreRepository): PlaceOrderDeps {
  return {
    orders,
    stores,
    now: () => new Date('2026-11-24T01:00:00Z'),
    newId: () => 'o9',
  };
}

const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

/** Each mutation as the party it serves would call it, and the message every other party gets. */
const MUTATIONS: readonly [
  string,
  Party['kind'],
  string,
  (party: Party, orders: OrderRepository, stores: StoreRepository) => Promise<unknown>,
][] = [
  ['placeOrder', 'customer', 'only a signed-in customer may place an order', (p, o, s) => placeOrder(placeCommand, p, placeDeps(o, s))],
  [
    'decideOrder',
    'store',
    "only a store's staff may decide an order",
    (p, o) => decideOrder({ orderId: 'o1', decision: 'ACCEPT', reason: null }, p, orderDeps(o)),
  ],
  ['pickupOrder', 'driver', 'only a driver may pick up an order', (p, o) => pickupOrder({ orderId: 'o1' }, p, orderDeps(o))],
  ['completeDelivery', 'driver', 'only a driver may complete a delivery', (p, o) => completeDelivery({ orderId: 'o1' }, p, orderDeps(o))],
  ['cancelOrder', 'customer', 'only a signed-in customer may cancel an order', (p, o) => cancelOrder({ orderId: 'o1' }, p, orderDeps(o))],
];

describe('who may call each mutation', () => {
  it.each(MUTATIONS)('%s refuses every party but a %s before touching DynamoDB', async (_name, kind, message, run) => {
    for (const party of PARTIES.filter((p) => p.kind !== kind)) {
      const { doc, orders, stores } = dynamo();
      const error = await run(party, orders, stores).catch((e: unknown) => e);
      expect([party.kind, failure(error)]).toEqual([party.kind, { ok: false, error: { errorType: 'Unauthorized', message, info: null } }]);
      expect(doc.sent).toEqual([]);
    }
  });
});

/** The attributes an UpdateCommand sets through its `#sN = :sN` placeholders. */
function setAttributes(update: UpdateCommand): Record<string, unknown> {
  const names = update.input.ExpressionAttributeNames ?? {};
  const values = update.input.ExpressionAttributeValues ?? {};
  return Object.fromEntries(
    Object.keys(names)
      .filter((k) => /^#s\d+$/.test(k))
      .map((k) => [names[k], values[`:${k.slice(1)}`]]),
  );
}

describe('the guarded write of each order mutation', () => {
  const afterWrite =
    (status: OrderRecord['status'], patch: Partial<OrderRecord> = {}) =>
    (command: unknown) =>
      command instanceof UpdateCommand ? { Attributes: order({ status, ...patch }) } : {};

  it.each<[string, Party, 'customerId' | 'storeId' | 'driverId', string, (o: OrderRepository) => Promise<unknown>]>([
    ['decideOrder', STAFF, 'storeId', 's1', (o) => decideOrder({ orderId: 'o1', decision: 'DECLINE', reason: null }, STAFF, orderDeps(o))],
    ['completeDelivery', DRIVER, 'driverId', 'd1', (o) => completeDelivery({ orderId: 'o1' }, DRIVER, orderDeps(o))],
    ['cancelOrder', CUSTOMER, 'customerId', 'c1', (o) => cancelOrder({ orderId: 'o1' }, CUSTOMER, orderDeps(o))],
  ])('%s writes only if the order is the caller’s (%s.%s = its own id)', async (_name, _party, attribute, value, run) => {
    const { doc, orders } = dynamo(afterWrite('DECLINED'));
    await run(orders);
    const [update] = doc.sent;
    expect(update).toBeInstanceOf(UpdateCommand);
    const input = (update as UpdateCommand).input;
    expect(input.ConditionExpression).toMatch(/^attribute_exists\(orderId\) AND #status IN \(.*\) AND #owner = :owner$/);
    expect(input.ExpressionAttributeNames?.['#owner']).toBe(attribute);
    expect(input.ExpressionAttributeValues?.[':owner']).toBe(value);
  });

  it('pickupOrder takes any ACCEPTED order and records the caller as its driver', async () => {
    const { doc, orders } = dynamo(afterWrite('OUT_FOR_DELIVERY', { driverId: 'd1', driverTaskToken: 'tok' }));
    const sfn = fakeClient();
    const result = await pickupOrder({ orderId: 'o1' }, DRIVER, { ...orderDeps(orders), sfn: sfn as never });
    const update = doc.sent[0] as UpdateCommand;
    expect(update.input.ConditionExpression).toBe('attribute_exists(orderId) AND #status IN (:from0)');
    expect(update.input.ExpressionAttributeValues?.[':from0']).toBe('ACCEPTED');
    expect(setAttributes(update)).toMatchObject({ driverId: 'd1', status: 'OUT_FOR_DELIVERY' });
    expect(result.driverId).toBe('d1');
    expect((sfn.sent[0] as SendTaskSuccessCommand).input).toEqual({ taskToken: 'tok', output: '{"driverId":"d1"}' });
  });
});

describe('a refused order mutation', () => {
  /** The write fails its condition; the order as it is now is `current` (undefined: none). */
  const refusedWith = (current: OrderRecord | undefined) => (command: unknown) => {
    if (command instanceof UpdateCommand) throw conditionFailed();
    if (command instanceof GetCommand) return { Item: current };
    throw new Error('unexpected command');
  };
  const NOT_YOURS = {
    ok: false,
    error: { errorType: 'Unauthorized', message: 'order o1 does not exist or is not yours', info: { orderId: 'o1' } },
  };

  async function attempt(party: Party, current: OrderRecord | undefined, run: (party: Party, deps: OrderMutationDeps) => Promise<unknown>) {
    const { doc, orders } = dynamo(refusedWith(current));
    const error = await run(party, orderDeps(orders)).catch((e: unknown) => e);
    // One guarded write, one read to explain it: nothing else written.
    expect(doc.sent.map((c) => (c instanceof UpdateCommand ? 'update' : c instanceof GetCommand ? 'get' : 'other'))).toEqual([
      'update',
      'get',
    ]);
    return failure(error);
  }
  const cancel = (p: Party, d: OrderMutationDeps) => cancelOrder({ orderId: 'o1' }, p, d);
  const decide = (p: Party, d: OrderMutationDeps) => decideOrder({ orderId: 'o1', decision: 'ACCEPT', reason: null }, p, d);
  const pickup = (p: Party, d: OrderMutationDeps) => pickupOrder({ orderId: 'o1' }, p, d);
  const complete = (p: Party, d: OrderMutationDeps) => completeDelivery({ orderId: 'o1' }, p, d);

  it("answers a missing order and another customer's order with the same Unauthorized error", async () => {
    expect(await attempt(CUSTOMER, undefined, cancel)).toEqual(NOT_YOURS);
    expect(await attempt(CUSTOMER, order({ customerId: 'c2' }), cancel)).toEqual(NOT_YOURS);
  });

  it("refuses another store's order and another driver's delivery the same way", async () => {
    expect(await attempt(STAFF, order({ storeId: 's2' }), decide)).toEqual(NOT_YOURS);
    expect(await attempt(STAFF, undefined, decide)).toEqual(NOT_YOURS);
    expect(await attempt(DRIVER, order({ status: 'OUT_FOR_DELIVERY', driverId: 'd2' }), complete)).toEqual(NOT_YOURS);
    expect(await attempt(DRIVER, order({ status: 'OUT_FOR_DELIVERY', driverId: 'd2' }), pickup)).toEqual(NOT_YOURS);
  });

  it('refuses a driver an order not yet offered to drivers, as if it did not exist', async () => {
    expect(await attempt(DRIVER, order({ status: 'PLACED' }), pickup)).toEqual(NOT_YOURS);
  });

  it('tells the party its own order is in the wrong status (InvalidTransition)', async () => {
    expect(await attempt(CUSTOMER, order({ status: 'ACCEPTED' }), cancel)).toMatchObject({
      error: { errorType: 'InvalidTransition', message: 'order o1 is ACCEPTED: it cannot be cancelled' },
    });
    expect(await attempt(STAFF, order({ status: 'CANCELLED' }), decide)).toMatchObject({ error: { errorType: 'InvalidTransition' } });
    expect(await attempt(DRIVER, order({ status: 'OUT_FOR_DELIVERY', driverId: 'd1' }), pickup)).toMatchObject({
      error: { errorType: 'InvalidTransition', message: 'order o1 is OUT_FOR_DELIVERY: it cannot be picked up' },
    });
    // Offered to every driver, so visible: not yet picked up, it cannot be delivered.
    expect(await attempt(DRIVER, order({ status: 'ACCEPTED' }), complete)).toMatchObject({ error: { errorType: 'InvalidTransition' } });
  });
});

describe('OrderRepository.transition', () => {
  it('refuses a party that owns no order (operator, none) without touching DynamoDB, also for an offered order', async () => {
    for (const party of [OPERATOR, NONE]) {
      for (const offered of [false, true]) {
        const { doc, orders } = dynamo();
        const error = await orders.transition('o1', 'pickup', { party, offered, now: new Date() }).catch((e: unknown) => e);
        expect(failure(error)).toMatchObject({ error: { errorType: 'Unauthorized', message: 'order o1 does not exist or is not yours' } });
        expect(doc.sent).toEqual([]);
      }
    }
  });
});

describe('placeOrder', () => {
  const store = { Item: { storeId: 's1', name: 'Store 1', coordinates: { latitude: 1, longitude: 2 } } };
  const C2: Party = { kind: 'customer', customerId: 'c2' };

  function placing(reply: (command: unknown) => unknown = () => ({})) {
    return dynamo((command) => (command instanceof GetCommand && command.input.TableName === 'Stores' ? store : reply(command)));
  }

  it('records the caller as the customer, never an input', async () => {
    const { doc, orders, stores } = placing();
    const placed = await placeOrder({ ...placeCommand, customerId: 'c2' } as PlaceOrderCommand, CUSTOMER, placeDeps(orders, stores));
    expect(placed.customerId).toBe('c1');
    const write = doc.sent.find((c) => c instanceof TransactWriteCommand) as TransactWriteCommand;
    expect(write.input.TransactItems?.[1]?.Put?.Item).toMatchObject({ orderId: 'o9', customerId: 'c1' });
  });

  it('scopes the idempotency key to the customer, so one key used by two customers names two records', async () => {
    const keys: unknown[] = [];
    for (const party of [CUSTOMER, C2]) {
      const { doc, orders, stores } = placing();
      await placeOrder(placeCommand, party, placeDeps(orders, stores));
      const write = doc.sent.find((c) => c instanceof TransactWriteCommand) as TransactWriteCommand;
      keys.push(write.input.TransactItems?.[0]?.Put?.Item?.idempotencyKey);
    }
    expect(keys).toEqual(['c1#key-00000001', 'c2#key-00000001']);
  });

  it('acknowledges the order once it is written, and starts no workflow (the orders stream does)', async () => {
    const { doc, orders, stores } = placing();
    const placed = await placeOrder(placeCommand, CUSTOMER, placeDeps(orders, stores));
    expect(placed).toMatchObject({ orderId: 'o9', status: 'PLACED' });
    // One transaction, the store's check in it: nothing else is called, Step Functions least of all.
    expect(doc.sent.map((c) => (c as object).constructor.name)).toEqual(['TransactWriteCommand']);
    const check = (doc.sent[0] as TransactWriteCommand).input.TransactItems?.[2]?.ConditionCheck;
    expect(check).toMatchObject({ TableName: 'Stores', Key: { storeId: placeCommand.storeId } });
  });

  /** The transaction cancelled with these items' conditions failed: 0 the key, 1 the order, 2 the store. */
  const cancelled = (...failedItems: number[]) =>
    new TransactionCanceledException({
      message: 'cancelled',
      $metadata: {},
      CancellationReasons: [0, 1, 2].map((i) => ({ Code: failedItems.includes(i) ? 'ConditionalCheckFailed' : 'None' })),
    });

  it.each([
    ['StoreClosed', { Item: { ...store.Item, open: false } }],
    ['NotFound', {}],
  ])('answers %s when the store check fails, and writes nothing', async (errorType, storeRow) => {
    const { doc, orders, stores } = dynamo((command) => {
      if (command instanceof TransactWriteCommand) throw cancelled(2);
      return storeRow;
    });
    const error = await placeOrder(placeCommand, CUSTOMER, placeDeps(orders, stores)).catch((e: unknown) => e);
    expect(failure(error)).toMatchObject({ error: { errorType } });
    expect(doc.sent.map((c) => (c as object).constructor.name)).toEqual(['TransactWriteCommand', 'GetCommand']);
  });

  it('returns the earlier order for a retried key even if the store has closed since', async () => {
    const { orders, stores } = placing((command) => {
      if (command instanceof TransactWriteCommand) throw cancelled(0, 1, 2);
      if (command instanceof GetCommand && command.input.TableName === 'IdempotencyKeys') {
        return { Item: { idempotencyKey: 'c1#key-00000001', orderId: 'o1', requestHash: requestHash(placeCommand, 'c1') } };
      }
      return { Item: order({ orderId: 'o1' }) };
    });
    expect((await placeOrder(placeCommand, CUSTOMER, placeDeps(orders, stores))).orderId).toBe('o1');
  });

  it("returns the customer's own earlier order for a retried key", async () => {
    const earlier = order({ orderId: 'o1' });
    const { doc, orders, stores } = placing((command) => {
      if (command instanceof TransactWriteCommand) throw new TransactionCanceledException({ message: 'cancelled', $metadata: {} });
      if (command instanceof GetCommand && command.input.TableName === 'IdempotencyKeys') {
        return { Item: { idempotencyKey: 'c1#key-00000001', orderId: 'o1', requestHash: requestHash(placeCommand, 'c1') } };
      }
      return { Item: earlier };
    });
    const placed = await placeOrder(placeCommand, CUSTOMER, placeDeps(orders, stores));
    expect(placed.orderId).toBe('o1');
    const lookup = doc.sent.find((c) => c instanceof GetCommand && c.input.TableName === 'IdempotencyKeys') as GetCommand;
    expect(lookup.input.Key).toEqual({ idempotencyKey: 'c1#key-00000001' });
  });

  it("never returns another customer's order, even if a stored key named one", async () => {
    const { orders, stores } = placing((command) => {
      if (command instanceof TransactWriteCommand) throw new TransactionCanceledException({ message: 'cancelled', $metadata: {} });
      if (command instanceof GetCommand && command.input.TableName === 'IdempotencyKeys') {
        return { Item: { idempotencyKey: 'c2#key-00000001', orderId: 'o1', requestHash: requestHash(placeCommand, 'c2') } };
      }
      return { Item: order({ orderId: 'o1', customerId: 'c1' }) };
    });
    const error = await placeOrder(placeCommand, C2, placeDeps(orders, stores)).catch((e: unknown) => e);
    expect(failure(error)).toMatchObject({ error: { errorType: 'IdempotencyConflict' } });
  });
});

describe('parseMutationEvent', () => {
  it('reads the caller the resolver verified', () => {
    expect(parseMutationEvent({ field: 'cancelOrder', input: { orderId: 'o1' }, caller: { sub: 'c1', groups: [] } })).toEqual({
      field: 'cancelOrder',
      input: { orderId: 'o1' },
      caller: { sub: 'c1', groups: [] },
    });
  });

  it.each([
    ['absent', undefined],
    ['null (API key, IAM)', null],
    ['without a sub', { groups: [] }],
    ['with an empty sub', { sub: '', groups: [] }],
    ['with a numeric sub', { sub: 7, groups: [] }],
    ['with groups that are not a list', { sub: 'c1', groups: 'operators' }],
    ['with a group that is not a string', { sub: 'c1', groups: ['drivers', 1] }],
  ])('is no caller when the caller is %s', (_name, caller) => {
    const event = caller === undefined ? { input: {} } : { input: {}, caller };
    expect(parseMutationEvent(event).caller).toBeNull();
  });
});

describe('the order mutation handlers', () => {
  it('act as the party of the caller in the event and refuse others without touching DynamoDB', async () => {
    vi.stubEnv('ORDERS_TABLE', 'Orders');
    try {
      const driver = { sub: 'd1', groups: ['drivers'] };
      expect(await decideOrderHandler({ field: 'decideOrder', input: { orderId: 'o1', decision: 'ACCEPT' }, caller: driver })).toEqual({
        ok: false,
        error: { errorType: 'Unauthorized', message: "only a store's staff may decide an order", info: null },
      });
      expect(await cancelOrderHandler({ field: 'cancelOrder', input: { orderId: 'o1' } })).toMatchObject({
        ok: false,
        error: { errorType: 'Unauthorized' },
      });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
