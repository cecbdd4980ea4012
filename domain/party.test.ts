import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES } from './order.js';
import {
  callerOf,
  maySee,
  orderSubscriptionFilter,
  ownerOf,
  partyOf,
  ROLE_GROUPS,
  storeGroup,
  type Caller,
  type OrderOwnership,
  type OrderSubscriptionArgs,
  type Party,
  type SubscriptionFilterJson,
} from './party.js';

const caller = (sub: string, ...groups: string[]): Caller => ({ sub, groups });

describe('callerOf', () => {
  it('takes the sub and the string groups of a user-pool identity', () => {
    expect(callerOf({ sub: 'u1', username: 'x', groups: ['drivers', 7, null] })).toEqual({ sub: 'u1', groups: ['drivers'] });
  });

  it('gives a user in no group (groups null) an empty list', () => {
    expect(callerOf({ sub: 'u1', groups: null })).toEqual({ sub: 'u1', groups: [] });
  });

  it('is no caller for the API key (null), IAM (no sub) and an empty sub', () => {
    expect(callerOf(null)).toBeNull();
    expect(callerOf(undefined)).toBeNull();
    expect(callerOf({ accountId: '1', userArn: 'arn:aws:iam::1:role/r', username: 'r' })).toBeNull();
    expect(callerOf({ sub: '', groups: [] })).toBeNull();
    expect(callerOf('u1')).toBeNull();
  });

  it('treats groups that are not a list as no groups', () => {
    expect(callerOf({ sub: 'u1', groups: 'operators' })).toEqual({ sub: 'u1', groups: [] });
  });
});

describe('partyOf', () => {
  it('makes a user in no role group a customer, with the sub as customer id', () => {
    expect(partyOf(caller('c1'))).toEqual({ kind: 'customer', customerId: 'c1' });
    expect(partyOf(caller('c1', 'some-other-group'))).toEqual({ kind: 'customer', customerId: 'c1' });
  });

  it('makes staff of exactly one store that store', () => {
    expect(partyOf(caller('u1', ROLE_GROUPS.store, storeGroup('s1')))).toEqual({ kind: 'store', storeId: 's1', userId: 'u1' });
  });

  it('gives staff of two stores, or of none, no party (never a customer)', () => {
    expect(partyOf(caller('u1', ROLE_GROUPS.store, storeGroup('s1'), storeGroup('s2')))).toEqual({ kind: 'none' });
    expect(partyOf(caller('u1', ROLE_GROUPS.store))).toEqual({ kind: 'none' });
    expect(partyOf(caller('u1', ROLE_GROUPS.store, 'store:'))).toEqual({ kind: 'none' });
  });

  it('does not make a store group alone (without `stores`) staff', () => {
    expect(partyOf(caller('u1', storeGroup('s1')))).toEqual({ kind: 'customer', customerId: 'u1' });
  });

  it('makes drivers drivers, with the sub as driver id', () => {
    expect(partyOf(caller('d1', ROLE_GROUPS.driver))).toEqual({ kind: 'driver', driverId: 'd1' });
  });

  it('gives operators precedence over every other role, then stores over drivers', () => {
    expect(partyOf(caller('u1', ROLE_GROUPS.driver, ROLE_GROUPS.store, storeGroup('s1'), ROLE_GROUPS.operator))).toEqual({
      kind: 'operator',
      userId: 'u1',
    });
    expect(partyOf(caller('u1', ROLE_GROUPS.driver, ROLE_GROUPS.store, storeGroup('s1')))).toMatchObject({ kind: 'store' });
  });

  it('is no party without a caller', () => {
    expect(partyOf(null)).toEqual({ kind: 'none' });
  });
});

const CUSTOMER: Party = { kind: 'customer', customerId: 'c1' };
const STAFF: Party = { kind: 'store', storeId: 's1', userId: 'u1' };
const DRIVER: Party = { kind: 'driver', driverId: 'd1' };
const OPERATOR: Party = { kind: 'operator', userId: 'op' };
const NONE: Party = { kind: 'none' };
const PARTIES: readonly Party[] = [
  CUSTOMER,
  { kind: 'customer', customerId: 'c2' },
  STAFF,
  { kind: 'store', storeId: 's2', userId: 'u2' },
  DRIVER,
  { kind: 'driver', driverId: 'd2' },
  OPERATOR,
  NONE,
];

const order = (patch: Partial<OrderOwnership> & { orderId?: string } = {}) => ({
  orderId: 'o1',
  customerId: 'c1',
  storeId: 's1',
  status: 'PLACED',
  driverId: null,
  ...patch,
});

describe('maySee', () => {
  it.each<[string, Party, ReturnType<typeof order>, boolean]>([
    ['a customer their own order', CUSTOMER, order(), true],
    ["a customer another customer's order", CUSTOMER, order({ customerId: 'c2' }), false],
    ["staff their store's order", STAFF, order({ customerId: 'c9' }), true],
    ["staff another store's order", STAFF, order({ storeId: 's2' }), false],
    ['a driver an order offered to drivers (ACCEPTED)', DRIVER, order({ status: 'ACCEPTED' }), true],
    ['a driver a PLACED order', DRIVER, order(), false],
    ['a driver their own delivery', DRIVER, order({ status: 'OUT_FOR_DELIVERY', driverId: 'd1' }), true],
    ['a driver their delivered order', DRIVER, order({ status: 'DELIVERED', driverId: 'd1' }), true],
    ["a driver another driver's delivery", DRIVER, order({ status: 'OUT_FOR_DELIVERY', driverId: 'd2' }), false],
    ['an operator any order', OPERATOR, order({ customerId: 'c9', storeId: 's9', status: 'DELIVERED', driverId: 'd9' }), true],
    ['no party any order', NONE, order(), false],
  ])('lets %s', (_name, party, o, expected) => {
    expect(maySee(party, o)).toBe(expected);
  });

  it('admits every order a party owns', () => {
    for (const party of PARTIES) {
      const owner = ownerOf(party);
      if (owner === null) continue;
      expect(maySee(party, order({ status: 'OUT_FOR_DELIVERY', [owner.attribute]: owner.value }))).toBe(true);
    }
  });
});

describe('ownerOf', () => {
  it('names the attribute and id of each party that owns orders, and none for operators and no party', () => {
    expect(ownerOf(CUSTOMER)).toEqual({ attribute: 'customerId', value: 'c1' });
    expect(ownerOf(STAFF)).toEqual({ attribute: 'storeId', value: 's1' });
    expect(ownerOf(DRIVER)).toEqual({ attribute: 'driverId', value: 'd1' });
    expect(ownerOf(OPERATOR)).toBeNull();
    expect(ownerOf(NONE)).toBeNull();
  });
});

/**
 * AppSync's evaluation of an enhanced filter against an event payload, for the operators the
 * policy uses: some group whose conditions all hold. A field absent from the payload is null.
 */
function admits(filter: SubscriptionFilterJson, payload: Readonly<Record<string, unknown>>): boolean {
  return filter.filterGroup.some((group) =>
    group.filters.every(({ fieldName, operator, value }) => {
      const actual = payload[fieldName] ?? null;
      if (operator === 'eq') return actual === value;
      if (operator === 'ne') return actual !== value;
      throw new Error(`operator ${String(operator)} is not evaluated here`);
    }),
  );
}

/** Orders of every status, two customers, two stores, with and without each driver. */
const SAMPLE_ORDERS = ORDER_STATUSES.flatMap((status, i) =>
  ['c1', 'c2'].flatMap((customerId) =>
    ['s1', 's2'].flatMap((storeId) =>
      [null, 'd1', 'd2'].map((driverId) =>
        order({ orderId: `o${i}-${customerId}-${storeId}-${driverId ?? 'x'}`, customerId, storeId, status, driverId }),
      ),
    ),
  ),
);

describe('orderSubscriptionFilter', () => {
  it('refuses no party', () => {
    expect(orderSubscriptionFilter(NONE, {})).toBeNull();
    expect(orderSubscriptionFilter(NONE, { orderId: 'o1', storeId: 's1' })).toBeNull();
  });

  it('admits exactly the orders maySee admits, for every party', () => {
    for (const party of PARTIES.filter((p) => p.kind !== 'none')) {
      const filter = orderSubscriptionFilter(party, {});
      expect(filter).not.toBeNull();
      for (const o of SAMPLE_ORDERS) expect([party, o.orderId, admits(filter!, o)]).toEqual([party, o.orderId, maySee(party, o)]);
    }
  });

  it('lets arguments only narrow: admitted ⇔ maySee and the arguments match', () => {
    const argsList: OrderSubscriptionArgs[] = [
      { orderId: SAMPLE_ORDERS[0]!.orderId },
      { storeId: 's2' },
      { storeId: 's1', orderId: SAMPLE_ORDERS[5]!.orderId },
      { orderId: null, storeId: null },
      { orderId: 'no-such-order' },
    ];
    for (const party of PARTIES.filter((p) => p.kind !== 'none')) {
      for (const args of argsList) {
        const filter = orderSubscriptionFilter(party, args);
        expect(filter).not.toBeNull();
        for (const o of SAMPLE_ORDERS) {
          const matches = (args.orderId == null || o.orderId === args.orderId) && (args.storeId == null || o.storeId === args.storeId);
          expect([party, args, o.orderId, admits(filter!, o)]).toEqual([party, args, o.orderId, maySee(party, o) && matches]);
        }
      }
    }
  });

  it('never sets an empty filter group (AppSync refuses one)', () => {
    for (const party of PARTIES.filter((p) => p.kind !== 'none')) {
      for (const group of orderSubscriptionFilter(party, {})!.filterGroup) expect(group.filters.length).toBeGreaterThan(0);
    }
  });
});
