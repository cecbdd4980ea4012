/**
 * Who is calling, and what each party may see. The one source of the authorization policy: the
 * APPSYNC_JS resolvers (reads and the subscription filter) and the Lambda handlers (mutations)
 * both decide from these functions, from the caller's verified identity alone, never from input.
 *
 * The party comes from the user pool's groups (the access token AppSync sees carries
 * `cognito:groups`, not custom attributes):
 * - `operators` → operator (sees everything);
 * - `stores` plus exactly one `store:<storeId>` → that store's staff (in two store groups: no party);
 * - `drivers` → driver (the driver id is the user's `sub`);
 * - in none of those → customer (the customer id is the user's `sub`). A confirmed self sign-up
 *   also joins `customers` (the PostConfirmation trigger, functions/post-confirmation.ts), but the
 *   party does not depend on it: a user the trigger missed is still a customer.
 * A user in several role groups takes the first of operators, stores, drivers.
 *
 * Written in the APPSYNC_JS subset (esbuild bundles it into resolver code): no classes, no
 * `throw`, no `includes`, no `Array.isArray`; checked by the local runtime's check at load.
 */

/** The role groups of the user pool (CDK and the local emulator create them). */
export const ROLE_GROUPS = { customer: 'customers', store: 'stores', driver: 'drivers', operator: 'operators' } as const;
export type Role = keyof typeof ROLE_GROUPS;

/** Prefix of the group naming one store's staff: `store:<storeId>`. */
export const STORE_GROUP_PREFIX = 'store:';

/** The group naming one store's staff. */
export function storeGroup(storeId: string): string {
  return STORE_GROUP_PREFIX + storeId;
}

/** The caller as a resolver hands it to a handler: the verified user's `sub` and groups. */
export interface Caller {
  readonly sub: string;
  readonly groups: readonly string[];
}

export type Party =
  | { readonly kind: 'customer'; readonly customerId: string }
  | { readonly kind: 'store'; readonly storeId: string; readonly userId: string }
  | { readonly kind: 'driver'; readonly driverId: string }
  | { readonly kind: 'operator'; readonly userId: string }
  /** No signed-in user (API key, IAM) or an ambiguous one (staff of two stores): may do nothing here. */
  | { readonly kind: 'none' };

export type PartyKind = Party['kind'];

const NOBODY: Party = { kind: 'none' };

/**
 * The caller from a resolver's `ctx.identity`: a user-pool identity has a string `sub`; API-key
 * (null) and IAM identities (no `sub`) are no caller.
 */
export function callerOf(identity: unknown): Caller | null {
  if (identity === null || identity === undefined || typeof identity !== 'object') return null;
  const sub = (identity as { sub?: unknown }).sub;
  if (typeof sub !== 'string' || sub === '') return null;
  // AppSync gives a list, or null for a user in no group.
  const listed = (identity as { groups?: unknown }).groups;
  const groups: string[] = [];
  if (listed !== null && listed !== undefined && typeof listed === 'object') {
    for (const g of listed as unknown[]) if (typeof g === 'string') groups.push(g);
  }
  return { sub, groups };
}

/** The party a caller acts as (see the module comment for the rules). */
export function partyOf(caller: Caller | null): Party {
  if (caller === null) return NOBODY;
  const groups = caller.groups;
  if (groups.indexOf(ROLE_GROUPS.operator) !== -1) return { kind: 'operator', userId: caller.sub };
  if (groups.indexOf(ROLE_GROUPS.store) !== -1) {
    const stores: string[] = [];
    for (const g of groups)
      if (g.startsWith(STORE_GROUP_PREFIX) && g.length > STORE_GROUP_PREFIX.length) stores.push(g.slice(STORE_GROUP_PREFIX.length));
    return stores.length === 1 ? { kind: 'store', storeId: stores[0] as string, userId: caller.sub } : NOBODY;
  }
  if (groups.indexOf(ROLE_GROUPS.driver) !== -1) return { kind: 'driver', driverId: caller.sub };
  return { kind: 'customer', customerId: caller.sub };
}

/** The fields of an order the policy reads. */
export interface OrderOwnership {
  readonly customerId: string;
  readonly storeId: string;
  readonly status: string;
  readonly driverId?: string | null;
}

/** The order attribute that names a party's own orders. */
export type OwnerAttribute = 'customerId' | 'storeId' | 'driverId';

/**
 * Which orders are the party's own: those whose `attribute` holds `value` (a customer's orders, a
 * store's, a driver's deliveries). Null for operators and `none`, who own no order. The Lambda
 * mutations guard their writes on it; `maySee` admits every owned order.
 */
export function ownerOf(party: Party): { readonly attribute: OwnerAttribute; readonly value: string } | null {
  switch (party.kind) {
    case 'customer':
      return { attribute: 'customerId', value: party.customerId };
    case 'store':
      return { attribute: 'storeId', value: party.storeId };
    case 'driver':
      return { attribute: 'driverId', value: party.driverId };
    default:
      return null;
  }
}

/** The status in which an order is offered to every driver (accepted, waiting for a pickup). */
export const OFFERED_TO_DRIVERS_STATUS = 'ACCEPTED';

/**
 * Whether `party` may see `order` (getOrder, lists, subscription events): customers their own,
 * staff their store's, drivers those offered to drivers and their own deliveries, operators all.
 */
export function maySee(party: Party, order: OrderOwnership): boolean {
  switch (party.kind) {
    case 'customer':
      return order.customerId === party.customerId;
    case 'store':
      return order.storeId === party.storeId;
    case 'driver':
      return order.status === OFFERED_TO_DRIVERS_STATUS || order.driverId === party.driverId;
    case 'operator':
      return true;
    default:
      return false;
  }
}

/** One condition of a subscription filter: the policy needs only equality and its negation. */
export interface SubscriptionFilterCondition {
  fieldName: string;
  operator: 'eq' | 'ne';
  value: string;
}

/**
 * AppSync's enhanced subscription filter (`extensions.setSubscriptionFilter`): groups OR-ed,
 * conditions within a group AND-ed. Mutable arrays, so it is assignable to @aws-appsync/utils'
 * `SubscriptionFilter`.
 */
export interface SubscriptionFilterJson {
  filterGroup: { filters: SubscriptionFilterCondition[] }[];
}

/** The narrowing a subscriber asked for with `onOrderUpdated(orderId, storeId)`. */
export interface OrderSubscriptionArgs {
  readonly orderId?: string | null;
  readonly storeId?: string | null;
}

/**
 * The subscription filter that lets `party` hear exactly the order events `maySee` allows,
 * narrowed by the arguments (which can only narrow, never widen). Null when the party may hear
 * nothing (the resolver then refuses the subscription as Unauthorized).
 */
export function orderSubscriptionFilter(party: Party, args: OrderSubscriptionArgs): SubscriptionFilterJson | null {
  let groups: SubscriptionFilterCondition[][];
  switch (party.kind) {
    case 'customer':
      groups = [[{ fieldName: 'customerId', operator: 'eq', value: party.customerId }]];
      break;
    case 'store':
      groups = [[{ fieldName: 'storeId', operator: 'eq', value: party.storeId }]];
      break;
    case 'driver':
      groups = [
        [{ fieldName: 'status', operator: 'eq', value: OFFERED_TO_DRIVERS_STATUS }],
        [{ fieldName: 'driverId', operator: 'eq', value: party.driverId }],
      ];
      break;
    case 'operator':
      groups = [[]];
      break;
    default:
      return null;
  }
  const narrowing: SubscriptionFilterCondition[] = [];
  if (args.orderId !== null && args.orderId !== undefined) narrowing.push({ fieldName: 'orderId', operator: 'eq', value: args.orderId });
  if (args.storeId !== null && args.storeId !== undefined) narrowing.push({ fieldName: 'storeId', operator: 'eq', value: args.storeId });
  const filterGroup: { filters: SubscriptionFilterCondition[] }[] = [];
  for (const g of groups) {
    const filters = g.concat(narrowing);
    // AppSync refuses an empty filter group: an operator with no narrowing gets an always-true filter.
    filterGroup.push({ filters: filters.length > 0 ? filters : [{ fieldName: 'orderId', operator: 'ne', value: '' }] });
  }
  return { filterGroup };
}
