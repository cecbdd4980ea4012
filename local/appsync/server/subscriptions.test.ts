import { describe, expect, it } from 'vitest';
import { matchesArguments, matchesFilter, parseSubscriptionFilter, SubscriptionHub } from './subscriptions.js';
import { buildAppSyncSchema } from './schema.js';

const group = (...filters: { fieldName: string; operator: string; value: unknown }[]) => ({ filters });

describe('matchesArguments', () => {
  it('treats omitted arguments as wildcards', () => {
    expect(matchesArguments({}, { id: '1' })).toBe(true);
  });

  it('requires supplied arguments to equal the result fields', () => {
    expect(matchesArguments({ id: '1', storeId: 's' }, { id: '1', storeId: 's' })).toBe(true);
    expect(matchesArguments({ id: '1', storeId: 's' }, { id: '1', storeId: 't' })).toBe(false);
  });

  it('matches an explicit null against null or absent fields only', () => {
    expect(matchesArguments({ owner: null }, { owner: null })).toBe(true);
    expect(matchesArguments({ owner: null }, {})).toBe(true);
    expect(matchesArguments({ owner: null }, { owner: 'x' })).toBe(false);
  });

  it('never matches a field the mutation did not select', () => {
    expect(matchesArguments({ owner: 'x' }, { id: '1' })).toBe(false);
  });
});

describe('matchesFilter', () => {
  const value = { size: 10, name: 'pepperoni', tags: ['hot', 'new'], address: { city: 'Calgary' } };

  it.each([
    ['eq', 'size', 10, true],
    ['ne', 'size', 10, false],
    ['gt', 'size', 9, true],
    ['le', 'size', 9, false],
    ['between', 'size', [10, 12], true],
    ['in', 'name', ['ham', 'pepperoni'], true],
    ['notIn', 'name', ['pepperoni'], false],
    ['beginsWith', 'name', 'pep', true],
    ['contains', 'name', 'ero', true],
    ['contains', 'tags', 'hot', true],
    ['notContains', 'tags', 'cold', true],
    ['containsAny', 'tags', ['x', 'new'], true],
    ['eq', 'address.city', 'Calgary', true],
  ])('%s on %s with %j is %s', (operator, fieldName, v, expected) => {
    expect(matchesFilter({ filterGroup: [group({ fieldName, operator, value: v })] }, value)).toBe(expected);
  });

  it('ANDs filters within a group and ORs groups', () => {
    const a = { fieldName: 'size', operator: 'eq', value: 10 };
    const b = { fieldName: 'name', operator: 'eq', value: 'ham' };
    expect(matchesFilter({ filterGroup: [group(a, b)] }, value)).toBe(false);
    expect(matchesFilter({ filterGroup: [group(a, b), group(a)] }, value)).toBe(true);
  });
});

describe('parseSubscriptionFilter', () => {
  it('accepts a filter object or its JSON text and rejects unknown operators', () => {
    const f = { filterGroup: [group({ fieldName: 'a', operator: 'eq', value: 1 })] };
    expect(parseSubscriptionFilter(f)).toEqual(f);
    expect(parseSubscriptionFilter(JSON.stringify(f))).toEqual(f);
    expect(parseSubscriptionFilter({ filterGroup: [group({ fieldName: 'a', operator: 'like', value: 1 })] })).toBeNull();
    expect(parseSubscriptionFilter(null)).toBeNull();
  });
});

describe('SubscriptionHub', () => {
  const schema = buildAppSyncSchema(`
    type Query { q: String }
    type Mutation { m1: T  m2: T }
    type Subscription { onT(id: ID): T @aws_subscribe(mutations: ["m1", "m2"])  other: T }
    type T { id: ID! }
  `);

  it('indexes @aws_subscribe triggers and delivers only to matching listeners', () => {
    const hub = new SubscriptionHub(schema);
    expect(hub.triggers.get('m1')).toEqual(['onT']);
    const got: unknown[] = [];
    const remove = hub.add({
      fieldName: 'onT',
      args: { id: '1' },
      filter: null,
      invalidationFilter: null,
      deliver: (r) => got.push(r),
      invalidate: () => undefined,
    });
    expect(hub.publish('m2', { id: '1' })).toBe(1);
    expect(hub.publish('m2', { id: '2' })).toBe(0);
    expect(hub.publish('unrelated', { id: '1' })).toBe(0);
    expect(hub.publish('m1', null)).toBe(0);
    remove();
    expect(hub.publish('m1', { id: '1' })).toBe(0);
    expect(got).toEqual([{ id: '1' }]);
  });

  it('with an enhanced filter set, matches on the filter alone: the arguments neither narrow nor widen (AppSync)', () => {
    const hub = new SubscriptionHub(schema);
    const got: unknown[] = [];
    hub.add({
      fieldName: 'onT',
      args: { id: 'asked-for' },
      filter: { filterGroup: [group({ fieldName: 'owner', operator: 'eq', value: 'me' })] },
      invalidationFilter: null,
      deliver: (r) => got.push(r),
      invalidate: () => undefined,
    });
    expect(hub.publish('m1', { id: 'other', owner: 'me' })).toBe(1);
    expect(hub.publish('m1', { id: 'asked-for', owner: 'someone' })).toBe(0);
    expect(got).toEqual([{ id: 'other', owner: 'me' }]);
  });

  it('invalidates listeners whose invalidation filter matches the payload', () => {
    const hub = new SubscriptionHub(schema);
    let ended = 0;
    hub.add({
      fieldName: 'onT',
      args: {},
      filter: null,
      invalidationFilter: { filterGroup: [group({ fieldName: 'id', operator: 'eq', value: 'x' })] },
      deliver: () => undefined,
      invalidate: () => {
        ended += 1;
      },
    });
    expect(hub.invalidate('onT', { id: 'y' })).toBe(0);
    expect(hub.invalidate('onT', { id: 'x' })).toBe(1);
    expect(ended).toBe(1);
  });
});
