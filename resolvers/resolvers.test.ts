/**
 * The real resolvers, run by the local APPSYNC_JS runtime as AppSync's EvaluateCode would: each
 * handler with a given context, no data source. (The data sources are exercised end to end in
 * test/integration.)
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_ONLY_ORDER_FIELDS, toPublicOrder } from '../domain/order.js';
import { manifest } from '../infra/manifest.js';
import { evaluateCode, loadResolver, UnsupportedResolverFeatureError, type LoadedResolver } from '../local/appsync/runtime/index.js';
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

describe('Query.getOrder', () => {
  it('reads the order by id', async () => {
    const out = await evaluateCode({ resolver: resolver('Query.getOrder'), fn: 'request', context: { arguments: { orderId: 'abc-123' } } });
    expect(out.result).toEqual({ operation: 'GetItem', key: { orderId: { S: 'abc-123' } } });
  });

  it('refuses a malformed id as a ValidationError', async () => {
    const out = await evaluateCode({ resolver: resolver('Query.getOrder'), fn: 'request', context: { arguments: { orderId: 'a b' } } });
    expect(out.error?.type).toBe('ValidationError');
  });

  it('drops the backend-only fields from the item, as the domain does', async () => {
    const item = orderRecord({ storeTaskToken: 't1', driverTaskToken: 't2', deliveryTaskToken: 't3' });
    const out = await evaluateCode({ resolver: resolver('Query.getOrder'), fn: 'response', context: { result: item } });
    expect(out.result).toEqual(toPublicOrder(item));
    for (const field of BACKEND_ONLY_ORDER_FIELDS) expect(out.result).not.toHaveProperty(field);
    const none = await evaluateCode({ resolver: resolver('Query.getOrder'), fn: 'response', context: { result: null } });
    expect(none.result).toBeNull();
  });

  it('hides a data-source error behind a generic one', async () => {
    const out = await evaluateCode({
      resolver: resolver('Query.getOrder'),
      fn: 'response',
      context: { error: { message: 'arn:aws:dynamodb:… internal detail', type: 'DynamoDB:InternalServerError' }, result: null },
    });
    expect(out.error).toEqual({ message: 'The order could not be read. Try again later.', type: 'InternalFailure' });
  });
});

describe('Query.ordersByStore', () => {
  it('queries the byStore index newest first with the default page size', async () => {
    const out = await evaluateCode({ resolver: resolver('Query.ordersByStore'), fn: 'request', context: { arguments: { storeId: 's1' } } });
    expect(out.result).toMatchObject({ operation: 'Query', index: 'byStore', scanIndexForward: false, limit: 20 });
  });

  it('drops backend-only attributes from every item', async () => {
    const out = await evaluateCode({
      resolver: resolver('Query.ordersByStore'),
      fn: 'response',
      context: { result: { items: [{ orderId: 'o1', storeTaskToken: 'secret' }], nextToken: null } },
    });
    expect(out.result).toEqual({ items: [{ orderId: 'o1' }], nextToken: null });
  });

  it('refuses a page size over 100', async () => {
    const out = await evaluateCode({
      resolver: resolver('Query.ordersByStore'),
      fn: 'request',
      context: { arguments: { storeId: 's1', limit: 101 } },
    });
    expect(out.error?.type).toBe('ValidationError');
  });
});

describe('order mutations', () => {
  const fields = ['Mutation.placeOrder', 'Mutation.decideOrder', 'Mutation.pickupOrder', 'Mutation.cancelOrder'];

  it.each(fields)('%s invokes its Lambda with { field, input }', async (field) => {
    const fieldName = field.split('.')[1] ?? '';
    const out = await evaluateCode({
      resolver: resolver(field),
      fn: 'request',
      context: {
        arguments: { input: { orderId: 'o1' } },
        info: { fieldName, parentTypeName: 'Mutation', variables: {}, selectionSetList: [], selectionSetGraphQL: '' },
      },
    });
    expect(out.result).toEqual({ operation: 'Invoke', payload: { field: fieldName, input: { orderId: 'o1' } } });
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
    const order = { orderId: 'o1', storeId: 's1', status: 'ACCEPTED' };
    for (const arg of [order, JSON.stringify(order)]) {
      const out = await evaluateCode({
        resolver: resolver('Mutation.publishOrderUpdate'),
        fn: 'request',
        context: { arguments: { order: arg } },
      });
      expect(out.result).toEqual({ payload: order });
    }
  });

  it('refuses something that is not an order', async () => {
    const out = await evaluateCode({
      resolver: resolver('Mutation.publishOrderUpdate'),
      fn: 'request',
      context: { arguments: { order: { status: 'x' } } },
    });
    expect(out.error?.type).toBe('ValidationError');
  });
});
