/**
 * Bad input and races on the local stack, each request by the party it belongs to: each refused
 * request gets a typed error and writes nothing; concurrent requests on one order never both win.
 * (Who may do what, and that a refusal for the wrong party writes nothing: authorization.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order } from '../../generated/graphql.js';
import { SEED_STORE_ID } from '../../infra/seed-stores.js';
import {
  errorTypeOf,
  executionsNamed,
  orderInput,
  receiveAlert,
  scanOrders,
  startHarness,
  type Harness,
  type Party,
  gql,
} from './harness.js';
import { COMPLETE_DELIVERY, DECIDE_ORDER, GET_ORDER, PICKUP_ORDER, PLACE_ORDER } from './operations.js';

let h: Harness;
let customer: Party;
let store: Party;
let driver: Party;
let operator: Party;

beforeAll(async () => {
  h = await startHarness();
  customer = await h.party('customer1');
  store = await h.party('store1');
  driver = await h.party('driver1');
  operator = await h.party('operator');
});

afterAll(async () => {
  await h?.stop();
});

async function place(patch = {}): Promise<Order> {
  return (await gql<{ placeOrder: Order }>(customer, PLACE_ORDER, { input: orderInput(patch) })).placeOrder;
}

async function getOrder(orderId: string, as: Party = customer): Promise<Order> {
  return (await gql<{ getOrder: Order }>(as, GET_ORDER, { orderId })).getOrder;
}

const decide = (orderId: string, decision: 'ACCEPT' | 'DECLINE', reason?: string) =>
  gql<{ decideOrder: Order }>(store, DECIDE_ORDER, { input: { orderId, decision, ...(reason === undefined ? {} : { reason }) } });

describe('bad input writes nothing', () => {
  it.each([
    ['no pies', { pies: [] }],
    ['an unknown topping combination repeated', { pies: [{ size: 'SMALL', cheese: 'SMALL', toppings: ['HAM', 'HAM'] }] }],
    ['a latitude out of range', { deliveryAddress: { ...orderInput().deliveryAddress, coordinates: { latitude: 123, longitude: 0 } } }],
    ['an empty street', { deliveryAddress: { ...orderInput().deliveryAddress, streetAddress: ' ' } }],
    ['a malformed store id', { storeId: 'not a store!' }],
    [
      'an address made only of zero-width characters',
      {
        deliveryAddress: {
          ...orderInput().deliveryAddress,
          streetAddress: '\u200B\u200C',
          city: '\u200D',
          postalCode: '\u2060',
          province: '\uFEFF',
        },
      },
    ],
    ['a NUL in the street', { deliveryAddress: { ...orderInput().deliveryAddress, streetAddress: '100 8 Ave\u0000 SW' } }],
  ])('placeOrder with %s is a ValidationError', async (_name, patch) => {
    const before = (await scanOrders(h)).length;
    expect(await errorTypeOf(place(patch))).toBe('ValidationError');
    expect((await scanOrders(h)).length).toBe(before);
  });

  it('placeOrder for an unknown store is NotFound', async () => {
    const before = (await scanOrders(h)).length;
    expect(await errorTypeOf(place({ storeId: 'no-such-store' }))).toBe('NotFound');
    expect((await scanOrders(h)).length).toBe(before);
  });

  it('one request placing 1,000 orders (aliases) is refused whole (400 RequestLimitExceeded): nothing is written', async () => {
    const before = (await scanOrders(h)).length;
    const input = orderInput();
    const aliases = Array.from({ length: 1000 }, (_, i) => `o${i}: placeOrder(input: $input) { orderId }`).join('\n');
    // Raw HTTP: Amplify reports a 400 as an "Unknown error" without the body.
    const res = await fetch(h.stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: customer.token },
      body: JSON.stringify({ query: `mutation Many($input: PlaceOrderInput!) {\n${aliases}\n}`, variables: { input } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { data: unknown; errors: { errorType: string; message: string }[] };
    expect(body.data).toBeNull();
    expect(body.errors[0]?.errorType).toBe('RequestLimitExceeded');
    expect(body.errors[0]?.message).toMatch(/placeOrder at most 5 times; this one calls it 1000 times/);
    expect((await scanOrders(h)).length).toBe(before);
  });

  it('getOrder with a malformed id is a ValidationError; an unknown id is null to an operator', async () => {
    expect(await errorTypeOf(getOrder('bad id!'))).toBe('ValidationError');
    expect(await getOrder('no-such-order', operator)).toBeNull();
  });

  it('a GraphQL-invalid enum never reaches a resolver', async () => {
    await expect(place({ pies: [{ size: 'ENORMOUS', cheese: 'SMALL', toppings: [] }] })).rejects.toMatchObject({
      errors: expect.any(Array),
    });
  });
});

describe('transitions that are refused change nothing', () => {
  it('picking up before acceptance is refused as if the order were not there (drivers see only offered orders)', async () => {
    const order = await place();
    expect(await errorTypeOf(gql(driver, PICKUP_ORDER, { input: { orderId: order.orderId } }))).toBe('Unauthorized');
    expect(await getOrder(order.orderId)).toMatchObject({ status: 'PLACED', driverId: null, version: order.version });
  });

  it('delivering before pickup is an InvalidTransition', async () => {
    const order = await place();
    await decide(order.orderId, 'ACCEPT');
    expect(await errorTypeOf(gql(driver, COMPLETE_DELIVERY, { input: { orderId: order.orderId } }))).toBe('InvalidTransition');
    expect((await getOrder(order.orderId)).deliveredAt).toBeNull();
  });

  it('a decline reason with a control character is a ValidationError and the order stays PLACED', async () => {
    const order = await place();
    expect(await errorTypeOf(decide(order.orderId, 'DECLINE', 'out of dough\u001B[2J'))).toBe('ValidationError');
    expect(await getOrder(order.orderId)).toMatchObject({ status: 'PLACED', version: order.version });
  });

  it('deciding twice is refused and the first decision stands', async () => {
    const order = await place();
    await decide(order.orderId, 'ACCEPT');
    const accepted = await getOrder(order.orderId);
    expect(await errorTypeOf(decide(order.orderId, 'DECLINE'))).toBe('InvalidTransition');
    expect(await getOrder(order.orderId)).toEqual(accepted);
  });
});

describe('races', () => {
  it('concurrent ACCEPT and DECLINE: exactly one wins, and the order shows the winner', async () => {
    const order = await place();
    await receiveAlert(h, `store-${SEED_STORE_ID}`, order.orderId);
    const attempts = await Promise.allSettled((['ACCEPT', 'DECLINE', 'ACCEPT', 'DECLINE'] as const).map((d) => decide(order.orderId, d)));
    const winners = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value.decideOrder] : []));
    expect(winners).toHaveLength(1);
    const losers = await Promise.all(attempts.filter((a) => a.status === 'rejected').map((a) => errorTypeOf(Promise.reject(a.reason))));
    expect(losers).toEqual(['InvalidTransition', 'InvalidTransition', 'InvalidTransition']);
    const final = await getOrder(order.orderId);
    expect(final.status).toBe(winners[0]?.status);
    expect(final.version).toBe(order.version + 1);
  });

  it('two drivers picking up at once: one wins, and the order names them', async () => {
    const order = await place();
    await decide(order.orderId, 'ACCEPT');
    const drivers = [driver, await h.party('driver2')];
    const attempts = await Promise.allSettled(
      drivers.map((d) => gql<{ pickupOrder: Order }>(d, PICKUP_ORDER, { input: { orderId: order.orderId } })),
    );
    const winners = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value.pickupOrder] : []));
    expect(winners).toHaveLength(1);
    expect(drivers.map((d) => d.sub)).toContain(winners[0]?.driverId);
    expect((await getOrder(order.orderId)).driverId).toBe(winners[0]?.driverId);
  });

  it('the same idempotency key, also concurrently, gives one order and one execution', async () => {
    const input = orderInput();
    const results = await Promise.all([0, 1, 2].map(() => gql<{ placeOrder: Order }>(customer, PLACE_ORDER, { input })));
    const again = await gql<{ placeOrder: Order }>(customer, PLACE_ORDER, { input });
    const ids = new Set([...results, again].map((r) => r.placeOrder.orderId));
    expect(ids.size).toBe(1);
    const [orderId] = [...ids];
    expect((await scanOrders(h)).filter((o) => o.idempotencyKey === input.idempotencyKey)).toHaveLength(1);
    // The workflow starts from the orders stream: once the stream is drained, exactly one started.
    await h.stack.drainStreams();
    expect(await executionsNamed(h, String(orderId))).toBe(1);
  });

  it('the same idempotency key with a different order is an IdempotencyConflict', async () => {
    const input = orderInput();
    await place(input);
    const before = (await scanOrders(h)).length;
    expect(await errorTypeOf(place({ ...input, paymentId: 'pay_other' }))).toBe('IdempotencyConflict');
    expect((await scanOrders(h)).length).toBe(before);
  });
});
