/**
 * The real resolvers, run by the local APPSYNC_JS runtime as AppSync's EvaluateCode would: each
 * handler with a given context, no data source. (The data sources are exercised end to end in
 * test/integration.)
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_ONLY_ORDER_FIELDS, toPublicOrder } from '../domain/order.js';
import { callerOf, orderSubscriptionFilter, partyOf } from '../domain/party.js';
import { manifest } from '../infra/manifest.js';
import {
  evaluateCode,
  loadResolver,
  UnsupportedResolverFeatureError,
  type LoadedResolver,
  type ResolverContextInput,
} from '../local/appsync/runtime/index.js';
import type { Identity } from '../local/appsync/types.js';
import { orderRecord } from '../test/factories.js';

const root = join(import.meta.dirname, '..');
const loaded = new Map<string, LoadedResolver>();

beforeAll(async () => {
  for (const r of manifest.resolvers) loaded.set(`${r.typeName}.${r.fieldName}`, await loadResolver(join(root, r.file)));
});

function resolver(field: string): LoadedResolver {
  const r = loaded.get(field);
  if (r === undefined) throw new Error(`no resolver ${field}`);
  return r;
}

describe('every resolver in the manifest', () => {
  it('loads and passes the APPSYNC_JS check', () => {
    expect([...loaded.keys()].sort()).toEqual(manifest.resolvers.map((r) => `${r.typeName}.${r.fieldName}`).sort());
  });
});

describe('a resolver that uses something AppSync does not run', () => {
  it('is rejected at load with its location', async () => {
    const error = await loadResolver(join(root, 'local/appsync/runtime/fixtures/unsupported.ts')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedResolverFeatureError);
    expect((error as UnsupportedResolverFeatureError).violations.length).toBeGreaterThan(0);
  });
});

/** A user-pool identity as AppSync puts it in `ctx.identity` (groups null when in none). */
function user(sub: string, ...groups: string[]): Identity {
  return {
    sub,
    issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/pool',
    username: sub,
    claims: { sub },
    sourceIp: ['127.0.0.1'],
    defaultAuthStrategy: 'ALLOW',
    groups: groups.length > 0 ? groups : null,
  };
}

const CUSTOMER = user('c1');
const STAFF = user('u1', 'stores', 'store:s1');
const OTHER_STAFF = user('u2', 'stores', 'store:s2');
const TWO_STORES = user('u3', 'stores', 'store:s1', 'store:s2');
const DRIVER = user('d1', 'drivers');
const OPERATOR = user('op', 'operators');
const IAM: Identity = {
  accountId: '123456789012',
  userArn: 'arn:aws:sts::123456789012:assumed-role/publisher/fn',
  username: 'publisher',
  sourceIp: ['127.0.0.1'],
  cognitoIdentityPoolId: null,
  cognitoIdentityId: null,
  cognitoIdentityAuthType: null,
  cognitoIdentityAuthProvider: null,
};
/** The API key: no identity. */
const API_KEY: Identity = null;

/** Runs one handler of `field` (Type.field) as AppSync would, with `info` naming the field. */
function run(field: string, fn: 'request' | 'response', context: ResolverContextInput) {
  const [parentTypeName = '', fieldName = ''] = field.split('.');
  return evaluateCode({
    resolver: resolver(field),
    fn,
    context: { info: { fieldName, parentTypeName, variables: {}, selectionSetList: [], selectionSetGraphQL: '' }, ...context },
  });
}

/** The query a list resolver sends, reduced to what decides the rows: index, key, order, page. */
async function listQuery(field: string, identity: Identity, args: Record<string, unknown> = {}) {
  const out = await run(field, 'request', { identity, arguments: args });
  if (out.error) return out.error;
  const q = out.result as {
    index: string;
    scanIndexForward: boolean;
    limit: number;
    query: { expressionNames: Record<string, string>; expressionValues: Record<string, { S: string }> };
  };
  const [key = ''] = Object.values(q.query.expressionNames);
  const [value] = Object.values(q.query.expressionValues);
  return { index: q.index, key: { [key]: value?.S }, newestFirst: !q.scanIndexForward, limit: q.limit };
}

const unauthorized = (field: string) => ({ message: `Not Authorized to access ${field} on type Query`, type: 'Unauthorized' });

describe('Query.getOrder', () => {
  it('reads the order by id for a signed-in party', async () => {
    const out = await run('Query.getOrder', 'request', { identity: CUSTOMER, arguments: { orderId: 'abc-123' } });
    expect(out.result).toEqual({ operation: 'GetItem', key: { orderId: { S: 'abc-123' } } });
  });

  it.each([
    ['the API key', API_KEY],
    ['IAM', IAM],
    ['staff of two stores', TWO_STORES],
  ])('refuses %s before reading', async (_name, identity) => {
    const out = await run('Query.getOrder', 'request', { identity, arguments: { orderId: 'abc-123' } });
    expect(out.error).toEqual(unauthorized('getOrder'));
  });

  it('refuses a malformed id as a ValidationError', async () => {
    const out = await run('Query.getOrder', 'request', { identity: CUSTOMER, arguments: { orderId: 'a b' } });
    expect(out.error?.type).toBe('ValidationError');
  });

  it.each<[string, Identity, Partial<Parameters<typeof orderRecord>[0]>, boolean]>([
    ['a customer their own order', CUSTOMER, {}, true],
    ["a customer another customer's order", user('c2'), {}, false],
    ["staff their store's order", STAFF, {}, true],
    ["staff another store's order", OTHER_STAFF, {}, false],
    ['a driver a PLACED order', DRIVER, {}, false],
    ['a driver an order offered to drivers', DRIVER, { status: 'ACCEPTED' }, true],
    ['a driver their own delivery', DRIVER, { status: 'OUT_FOR_DELIVERY', driverId: 'd1' }, true],
    ["a driver another driver's delivery", DRIVER, { status: 'OUT_FOR_DELIVERY', driverId: 'd2' }, false],
    ['an operator any order', OPERATOR, { customerId: 'c9', storeId: 's9' }, true],
  ])('lets %s', async (_name, identity, patch, allowed) => {
    const item = orderRecord(patch);
    const out = await run('Query.getOrder', 'response', { identity, result: item });
    if (allowed) expect(out.result).toEqual(toPublicOrder(item));
    else expect(out.error).toEqual(unauthorized('getOrder'));
  });

  it("answers a missing order as it answers another party's, except to an operator (null)", async () => {
    for (const identity of [CUSTOMER, STAFF, DRIVER]) {
      const missing = await run('Query.getOrder', 'response', { identity, result: null });
      const notYours = await run('Query.getOrder', 'response', { identity, result: orderRecord({ customerId: 'c9', storeId: 's9' }) });
      expect(missing.error).toEqual(unauthorized('getOrder'));
      expect(notYours.error).toEqual(missing.error);
    }
    const operator = await run('Query.getOrder', 'response', { identity: OPERATOR, result: null });
    expect(operator.error).toBeUndefined();
    expect(operator.result).toBeNull();
  });

  it('drops the backend-only fields from the item, as the domain does', async () => {
    const item = orderRecord({ storeTaskToken: 't1', driverTaskToken: 't2', deliveryTaskToken: 't3' });
    const out = await run('Query.getOrder', 'response', { identity: CUSTOMER, result: item });
    expect(out.result).toEqual(toPublicOrder(item));
    for (const field of BACKEND_ONLY_ORDER_FIELDS) expect(out.result).not.toHaveProperty(field);
  });

  it('hides a data-source error behind a generic one', async () => {
    const out = await run('Query.getOrder', 'response', {
      identity: CUSTOMER,
      error: { message: 'arn:aws:dynamodb:… internal detail', type: 'DynamoDB:InternalServerError' },
      result: null,
    });
    expect(out.error).toEqual({ message: 'The order could not be read. Try again later.', type: 'InternalFailure' });
  });
});

describe('Query.ordersByStore', () => {
  it("reads the staff's own store, newest first, when they name none or their own", async () => {
    const expected = { index: 'byStore', key: { storeId: 's1' }, newestFirst: true, limit: 20 };
    expect(await listQuery('Query.ordersByStore', STAFF)).toEqual(expected);
    expect(await listQuery('Query.ordersByStore', STAFF, { storeId: 's1' })).toEqual(expected);
    expect(await listQuery('Query.ordersByStore', STAFF, { storeId: null })).toEqual(expected);
  });

  it("refuses staff another store's orders", async () => {
    expect(await listQuery('Query.ordersByStore', STAFF, { storeId: 's2' })).toEqual(unauthorized('ordersByStore'));
  });

  it('lets an operator read any store, which they must name', async () => {
    expect(await listQuery('Query.ordersByStore', OPERATOR, { storeId: 's2' })).toMatchObject({ key: { storeId: 's2' } });
    expect(await listQuery('Query.ordersByStore', OPERATOR)).toMatchObject({ type: 'ValidationError' });
    expect(await listQuery('Query.ordersByStore', OPERATOR, { storeId: 'a b' })).toMatchObject({ type: 'ValidationError' });
  });

  it.each([
    ['a customer', CUSTOMER],
    ['a driver', DRIVER],
    ['staff of two stores', TWO_STORES],
    ['the API key', API_KEY],
    ['IAM', IAM],
  ])('refuses %s', async (_name, identity) => {
    expect(await listQuery('Query.ordersByStore', identity, { storeId: 's1' })).toEqual(unauthorized('ordersByStore'));
  });

  it('drops backend-only attributes from every item', async () => {
    const out = await run('Query.ordersByStore', 'response', {
      identity: STAFF,
      result: { items: [{ orderId: 'o1', storeTaskToken: 'secret' }], nextToken: null },
    });
    expect(out.result).toEqual({ items: [{ orderId: 'o1' }], nextToken: null });
  });

  it('refuses a page size over 100', async () => {
    expect(await listQuery('Query.ordersByStore', STAFF, { limit: 101 })).toMatchObject({ type: 'ValidationError' });
  });
});

describe('Query.myOrders', () => {
  it("reads the customer's own orders, newest first", async () => {
    expect(await listQuery('Query.myOrders', CUSTOMER)).toEqual({
      index: 'byCustomer',
      key: { customerId: 'c1' },
      newestFirst: true,
      limit: 20,
    });
    expect(await listQuery('Query.myOrders', CUSTOMER, { limit: 100 })).toMatchObject({ limit: 100 });
  });

  it('refuses a page size outside 1–100', async () => {
    expect(await listQuery('Query.myOrders', CUSTOMER, { limit: 0 })).toMatchObject({ type: 'ValidationError' });
    expect(await listQuery('Query.myOrders', CUSTOMER, { limit: 101 })).toMatchObject({ type: 'ValidationError' });
  });

  it.each([
    ['staff', STAFF],
    ['a driver', DRIVER],
    ['an operator', OPERATOR],
    ['staff of two stores', TWO_STORES],
    ['the API key', API_KEY],
    ['IAM', IAM],
  ])('refuses %s', async (_name, identity) => {
    expect(await listQuery('Query.myOrders', identity)).toEqual(unauthorized('myOrders'));
  });
});

describe('Query.ordersForPickup', () => {
  it.each([
    ['a driver', DRIVER],
    ['an operator', OPERATOR],
  ])('gives %s the orders offered to drivers, oldest acceptance first', async (_name, identity) => {
    expect(await listQuery('Query.ordersForPickup', identity)).toEqual({
      index: 'byStatus',
      key: { status: 'ACCEPTED' },
      newestFirst: false,
      limit: 20,
    });
  });

  it.each([
    ['a customer', CUSTOMER],
    ['staff', STAFF],
    ['the API key', API_KEY],
    ['IAM', IAM],
  ])('refuses %s', async (_name, identity) => {
    expect(await listQuery('Query.ordersForPickup', identity)).toEqual(unauthorized('ordersForPickup'));
  });
});

describe('Subscription.onOrderUpdated', () => {
  const field = 'Subscription.onOrderUpdated';
  const refused = { message: 'Not Authorized to access onOrderUpdated on type Subscription', type: 'Unauthorized' };

  it.each([
    ['a customer', CUSTOMER, {}],
    ['staff naming another store', STAFF, { storeId: 's2' }],
    ['a driver', DRIVER, { orderId: 'o1' }],
    ['an operator', OPERATOR, {}],
  ])('sets the filter of %s from who they are, narrowed by the arguments', async (_name, identity, args) => {
    const request = await run(field, 'request', { identity, arguments: args });
    expect(request.result).toEqual({ payload: null });
    const response = await run(field, 'response', { identity, arguments: args, result: null });
    expect(response.error).toBeUndefined();
    expect(response.result).toBeNull();
    expect(response.extensions.subscriptionFilter).toEqual(orderSubscriptionFilter(partyOf(callerOf(identity)), args));
  });

  it('lets a customer with no arguments hear only their own orders', async () => {
    const response = await run(field, 'response', { identity: CUSTOMER, arguments: {}, result: null });
    expect(response.extensions.subscriptionFilter).toEqual({
      filterGroup: [{ filters: [{ fieldName: 'customerId', operator: 'eq', value: 'c1' }] }],
    });
  });

  it("keeps a customer naming another customer's order to their own orders", async () => {
    const response = await run(field, 'response', { identity: CUSTOMER, arguments: { orderId: 'theirs' }, result: null });
    expect(response.extensions.subscriptionFilter).toEqual({
      filterGroup: [
        {
          filters: [
            { fieldName: 'customerId', operator: 'eq', value: 'c1' },
            { fieldName: 'orderId', operator: 'eq', value: 'theirs' },
          ],
        },
      ],
    });
  });

  it.each([
    ['the API key', API_KEY],
    ['IAM', IAM],
    ['staff of two stores', TWO_STORES],
  ])('refuses %s and sets no filter', async (_name, identity) => {
    const request = await run(field, 'request', { identity, arguments: {} });
    expect(request.error).toEqual(refused);
    const response = await run(field, 'response', { identity, arguments: {}, result: null });
    expect(response.error).toEqual(refused);
    expect(response.extensions.subscriptionFilter).toBeNull();
  });
});

describe('order mutations', () => {
  const fields = [
    'Mutation.placeOrder',
    'Mutation.decideOrder',
    'Mutation.pickupOrder',
    'Mutation.completeDelivery',
    'Mutation.cancelOrder',
  ];

  it.each(fields)('%s invokes its Lambda with { field, input, caller }', async (field) => {
    const fieldName = field.split('.')[1] ?? '';
    const out = await run(field, 'request', { identity: STAFF, arguments: { input: { orderId: 'o1' } } });
    expect(out.result).toEqual({
      operation: 'Invoke',
      payload: { field: fieldName, input: { orderId: 'o1' }, caller: { sub: 'u1', groups: ['stores', 'store:s1'] } },
    });
  });

  it.each(fields)('%s sends no caller for the API key or IAM (the handler then refuses)', async (field) => {
    for (const identity of [API_KEY, IAM]) {
      const out = await run(field, 'request', { identity, arguments: { input: { orderId: 'o1' } } });
      expect(out.result).toMatchObject({ payload: { caller: null } });
    }
  });

  it('sends a customer without groups as a caller with no groups', async () => {
    const out = await run('Mutation.placeOrder', 'request', { identity: CUSTOMER, arguments: { input: {} } });
    expect(out.result).toMatchObject({ payload: { caller: { sub: 'c1', groups: [] } } });
  });

  it.each(fields)('%s turns a typed Lambda failure into that errorType', async (field) => {
    const out = await evaluateCode({
      resolver: resolver(field),
      fn: 'response',
      context: {
        result: { ok: false, error: { errorType: 'InvalidTransition', message: 'order o1 is ACCEPTED', info: { status: 'ACCEPTED' } } },
      },
    });
    expect(out.error).toEqual({ message: 'order o1 is ACCEPTED', type: 'InvalidTransition' });
  });

  it.each(fields)('%s reports an unhandled Lambda error without its message', async (field) => {
    const out = await evaluateCode({
      resolver: resolver(field),
      fn: 'response',
      context: { error: { message: 'TypeError: cannot read x of undefined at /var/task/index.js', type: 'Lambda:Unhandled' } },
    });
    expect(out.error?.type).toBe('InternalFailure');
    expect(out.error?.message).not.toContain('TypeError');
  });

  it('returns the order on success', async () => {
    const order = { orderId: 'o1', status: 'PLACED' };
    const out = await evaluateCode({ resolver: resolver('Mutation.placeOrder'), fn: 'response', context: { result: { ok: true, order } } });
    expect(out.result).toEqual(order);
  });
});

describe('Mutation.publishOrderUpdate', () => {
  it('passes the order through the NONE data source, parsed or not', async () => {
    const order = { orderId: 'o1', customerId: 'c1', storeId: 's1', status: 'ACCEPTED' };
    for (const arg of [order, JSON.stringify(order)]) {
      const out = await evaluateCode({
        resolver: resolver('Mutation.publishOrderUpdate'),
        fn: 'request',
        context: { arguments: { order: arg } },
      });
      expect(out.result).toEqual({ payload: order });
    }
  });

  it.each([
    ['something that is not an order', { status: 'x' }],
    ['an order without its customer (no subscriber filter could admit it)', { orderId: 'o1', storeId: 's1', status: 'ACCEPTED' }],
  ])('refuses %s', async (_name, order) => {
    const out = await evaluateCode({
      resolver: resolver('Mutation.publishOrderUpdate'),
      fn: 'request',
      context: { arguments: { order } },
    });
    expect(out.error?.type).toBe('ValidationError');
  });
});
