/**
 * The local metrics summary (local/metrics) on the real local stack: after real order lifecycles
 * through the API, GET /local/metrics counts them from the EMF lines the stream publisher's
 * Powertools Metrics logged, and only an operator may read it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order } from '../../generated/graphql.js';
import { METRICS_PATH } from '../../local/metrics/index.js';
import { orderFigures, parseMetricsSummary, type OrderFigures } from '../../web-demo/src/metrics.js';
import { eventually, gql, orderInput, startHarness, type Harness, type Party } from './harness.js';
import { CANCEL_ORDER, COMPLETE_DELIVERY, DECIDE_ORDER, GET_ORDER, PICKUP_ORDER, PLACE_ORDER } from './operations.js';

let h: Harness;
let metricsUrl: string;

beforeAll(async () => {
  h = await startHarness();
  metricsUrl = h.stack.graphqlUrl.replace(/\/graphql$/, METRICS_PATH);
});

afterAll(async () => {
  await h?.stop();
});

function read(headers: Record<string, string> = {}, method = 'GET'): Promise<Response> {
  return fetch(metricsUrl, { method, headers });
}

async function figuresAs(party: Party): Promise<OrderFigures> {
  const response = await read({ authorization: party.token });
  expect(response.status).toBe(200);
  return orderFigures(parseMetricsSummary(await response.json()));
}

async function place(customer: Party): Promise<string> {
  const { placeOrder } = await gql<{ placeOrder: Order }>(customer, PLACE_ORDER, { input: orderInput() });
  return placeOrder.orderId;
}

describe('GET /local/metrics', () => {
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

    const delivered = await place(customer);
    await gql(store, DECIDE_ORDER, { input: { orderId: delivered, decision: 'ACCEPT' } });
    await gql(driver, PICKUP_ORDER, { input: { orderId: delivered } });
    // The workflow writes the ETA before it waits for the delivery.
    await eventually(async () => {
      const { getOrder } = await gql<{ getOrder: Order }>(customer, GET_ORDER, { orderId: delivered });
      return getOrder.estimateSource === null ? undefined : true;
    }, 'the delivery estimate');
    await gql(driver, COMPLETE_DELIVERY, { input: { orderId: delivered } });
    const cancelled = await place(customer);
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
