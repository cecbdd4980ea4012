/**
 * `@aws_subscribe` fan-out: which subscription fields a mutation triggers, which live
 * subscriptions a published result matches (argument filtering or enhanced filters), and
 * invalidation. Transport-free; a listener's `deliver` decides how an event reaches its client.
 */
import { isDeepStrictEqual } from 'node:util';
import { getDirectiveValues, type GraphQLSchema } from 'graphql';

export interface SubscriptionFilterEntry {
  readonly fieldName: string;
  readonly operator: string;
  readonly value: unknown;
}

/** Enhanced filter JSON (`util.transform.toSubscriptionFilter` output): groups OR-ed, filters AND-ed. */
export interface SubscriptionFilter {
  readonly filterGroup: readonly { readonly filters: readonly SubscriptionFilterEntry[] }[];
}

/** A live subscription as the hub sees it. */
export interface SubscriptionListener {
  /** The Subscription field, e.g. `onOrderUpdated`. */
  readonly fieldName: string;
  /** Arguments the subscriber supplied (coerced); omitted ones are absent. */
  readonly args: Readonly<Record<string, unknown>>;
  /** When set, replaces argument filtering (AppSync: the two are never combined). */
  readonly filter: SubscriptionFilter | null;
  readonly invalidationFilter: SubscriptionFilter | null;
  /** Receives the mutation field's result as the mutation shaped it, keyed by field name. */
  deliver(result: Readonly<Record<string, unknown>>): void;
  /** Ends the subscription because an invalidation matched it. */
  invalidate(): void;
}

const OPERATORS = new Set([
  'eq',
  'ne',
  'le',
  'lt',
  'ge',
  'gt',
  'contains',
  'notContains',
  'beginsWith',
  'in',
  'notIn',
  'between',
  'containsAny',
]);

/** Validates an enhanced filter from untrusted resolver output; null if absent or malformed. */
export function parseSubscriptionFilter(raw: unknown): SubscriptionFilter | null {
  if (typeof raw === 'string') {
    try {
      return parseSubscriptionFilter(JSON.parse(raw) as unknown);
    } catch {
      return null;
    }
  }
  if (typeof raw !== 'object' || raw === null || !('filterGroup' in raw) || !Array.isArray(raw.filterGroup)) return null;
  const groups: { filters: SubscriptionFilterEntry[] }[] = [];
  for (const g of raw.filterGroup as unknown[]) {
    if (typeof g !== 'object' || g === null || !('filters' in g) || !Array.isArray(g.filters)) return null;
    const filters: SubscriptionFilterEntry[] = [];
    for (const f of g.filters as unknown[]) {
      if (typeof f !== 'object' || f === null) return null;
      const { fieldName, operator } = f as { fieldName?: unknown; operator?: unknown };
      if (typeof fieldName !== 'string' || typeof operator !== 'string' || !OPERATORS.has(operator)) return null;
      filters.push({ fieldName, operator, value: 'value' in f ? f.value : undefined });
    }
    groups.push({ filters });
  }
  return { filterGroup: groups };
}

function at(value: unknown, dotted: string): unknown {
  let cur: unknown = value;
  for (const key of dotted.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function compare(a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

function test(entry: SubscriptionFilterEntry, actual: unknown): boolean {
  const v = entry.value;
  const c = compare(actual, v);
  switch (entry.operator) {
    case 'eq':
      return isDeepStrictEqual(actual ?? null, v ?? null);
    case 'ne':
      return !isDeepStrictEqual(actual ?? null, v ?? null);
    case 'lt':
      return c !== null && c < 0;
    case 'le':
      return c !== null && c <= 0;
    case 'gt':
      return c !== null && c > 0;
    case 'ge':
      return c !== null && c >= 0;
    case 'contains':
      return Array.isArray(actual)
        ? actual.some((x) => isDeepStrictEqual(x, v))
        : typeof actual === 'string' && typeof v === 'string' && actual.includes(v);
    case 'notContains':
      return Array.isArray(actual)
        ? !actual.some((x) => isDeepStrictEqual(x, v))
        : typeof actual === 'string' && typeof v === 'string' && !actual.includes(v);
    case 'beginsWith':
      return typeof actual === 'string' && typeof v === 'string' && actual.startsWith(v);
    case 'in':
      return Array.isArray(v) && v.some((x) => isDeepStrictEqual(x, actual));
    case 'notIn':
      return Array.isArray(v) && !v.some((x) => isDeepStrictEqual(x, actual));
    case 'between': {
      if (!Array.isArray(v) || v.length !== 2) return false;
      const lo = compare(actual, v[0]);
      const hi = compare(actual, v[1]);
      return lo !== null && hi !== null && lo >= 0 && hi <= 0;
    }
    case 'containsAny':
      return Array.isArray(actual) && Array.isArray(v) && actual.some((x) => v.some((y) => isDeepStrictEqual(x, y)));
    default:
      return false;
  }
}

/** Enhanced filter: some group whose every filter holds for `value`. */
export function matchesFilter(filter: SubscriptionFilter, value: unknown): boolean {
  return filter.filterGroup.some((g) => g.filters.every((f) => test(f, at(value, f.fieldName))));
}

/**
 * Basic filtering: every supplied argument equals the same-named top-level field of the result.
 * An explicit null matches a null or absent field; a non-null argument needs the field to be
 * present, so a field the mutation did not select never matches.
 */
export function matchesArguments(args: Readonly<Record<string, unknown>>, result: Readonly<Record<string, unknown>>): boolean {
  for (const [name, expected] of Object.entries(args)) {
    const actual = result[name];
    if (expected === null) {
      if (actual !== null && actual !== undefined) return false;
    } else if (!Object.hasOwn(result, name) || !isDeepStrictEqual(actual, expected)) {
      return false;
    }
  }
  return true;
}

/** The live subscriptions of one server, indexed by the mutations that trigger them. */
export class SubscriptionHub {
  /** mutation field → subscription fields whose `@aws_subscribe(mutations:)` lists it. */
  readonly triggers = new Map<string, string[]>();
  private readonly byField = new Map<string, Set<SubscriptionListener>>();

  constructor(schema: GraphQLSchema) {
    const directive = schema.getDirective('aws_subscribe');
    const subscriptionType = schema.getSubscriptionType();
    if (!directive || !subscriptionType) return;
    for (const field of Object.values(subscriptionType.getFields())) {
      if (!field.astNode) continue;
      const values = getDirectiveValues(directive, field.astNode);
      const mutations = values?.['mutations'];
      if (!Array.isArray(mutations)) continue;
      for (const m of mutations) {
        if (typeof m !== 'string') continue;
        const list = this.triggers.get(m) ?? [];
        list.push(field.name);
        this.triggers.set(m, list);
      }
    }
  }

  /** Registers a listener; the returned function removes it (idempotent). */
  add(listener: SubscriptionListener): () => void {
    const set = this.byField.get(listener.fieldName) ?? new Set<SubscriptionListener>();
    set.add(listener);
    this.byField.set(listener.fieldName, set);
    return () => {
      set.delete(listener);
    };
  }

  /** Number of live subscriptions (for stats and tests). */
  get size(): number {
    let n = 0;
    for (const set of this.byField.values()) n += set.size;
    return n;
  }

  /**
   * Fans out one successful mutation field result. Delivery is synchronous and in registration
   * order, so events of one subscription keep publish order. Returns the number of deliveries.
   */
  publish(mutationField: string, result: unknown): number {
    if (typeof result !== 'object' || result === null || Array.isArray(result)) return 0;
    const record = result as Record<string, unknown>;
    let delivered = 0;
    for (const fieldName of this.triggers.get(mutationField) ?? []) {
      for (const listener of [...(this.byField.get(fieldName) ?? [])]) {
        const match = listener.filter ? matchesFilter(listener.filter, record) : matchesArguments(listener.args, record);
        if (!match) continue;
        listener.deliver(record);
        delivered += 1;
      }
    }
    return delivered;
  }

  /** `extensions.invalidateSubscriptions`: ends subscriptions whose invalidation filter matches `payload`. */
  invalidate(subscriptionField: string, payload: unknown): number {
    let ended = 0;
    for (const listener of [...(this.byField.get(subscriptionField) ?? [])]) {
      if (listener.invalidationFilter && matchesFilter(listener.invalidationFilter, payload)) {
        listener.invalidate();
        ended += 1;
      }
    }
    return ended;
  }
}
