/**
 * The workflow's guarded DynamoDB writes restate the domain's TRANSITIONS in ASL (a
 * ConditionExpression over `status` and the status the UpdateExpression sets). This test reads
 * every such write from order.asl.json and holds it to the transition of the action it performs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRANSITIONS, type OrderAction } from '../domain/order.js';

/** The action each status-changing state of the workflow performs. */
const ACTION_OF_STATE: Readonly<Record<string, OrderAction>> = {
  CancelForStoreTimeout: 'storeTimeout',
  CancelForPickupTimeout: 'pickupTimeout',
};

const WRITE_RESOURCES = /^arn:aws:states:::dynamodb:(?:updateItem|putItem|deleteItem)$/;

interface StatusWrite {
  readonly state: string;
  readonly condition: string | undefined;
  readonly update: string | undefined;
  /** Attribute-name placeholder → attribute name. */
  readonly names: Readonly<Record<string, string>>;
  /** Value placeholder → string value (`{ "S": … }`); other values are left out. */
  readonly values: Readonly<Record<string, string>>;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Every DynamoDB write task of a state machine, nested Parallel/Map states included. */
function writes(states: unknown): StatusWrite[] {
  return Object.entries(record(states)).flatMap(([name, raw]) => {
    const state = record(raw);
    const nested = [
      ...(Array.isArray(state.Branches) ? state.Branches : []).map((b) => record(b).States),
      record(state.ItemProcessor).States,
      record(state.Iterator).States,
    ].flatMap((inner) => (inner === undefined ? [] : writes(inner)));
    if (state.Type !== 'Task' || !WRITE_RESOURCES.test(String(state.Resource))) return nested;
    const params = record(state.Parameters);
    const names = Object.fromEntries(Object.entries(record(params.ExpressionAttributeNames)).map(([k, v]) => [k, String(v)]));
    const values = Object.fromEntries(
      Object.entries(record(params.ExpressionAttributeValues)).flatMap(([k, v]) => {
        const s = record(v).S;
        return typeof s === 'string' ? [[k, s]] : [];
      }),
    );
    return [
      ...nested,
      {
        state: name,
        condition: optionalString(params.ConditionExpression),
        update: optionalString(params.UpdateExpression),
        names,
        values,
      },
    ];
  });
}

function statusAlias(write: StatusWrite): string | undefined {
  return Object.entries(write.names).find(([, attribute]) => attribute === 'status')?.[0];
}

function valueOf(write: StatusWrite, placeholder: string): string {
  const value = write.values[placeholder];
  if (value === undefined) throw new Error(`${write.state}: ${placeholder} is not a string value`);
  return value;
}

/** The status the write's `SET` gives the order; undefined when it does not set one. */
function toStatus(write: StatusWrite, alias: string): string | undefined {
  const set = /^SET\s+(.*)$/is.exec(write.update ?? '')?.[1] ?? '';
  const assignment = set
    .split(',')
    .map((a) => a.trim())
    .find((a) => a.startsWith(`${alias} `) || a.startsWith(`${alias}=`));
  if (assignment === undefined) return undefined;
  const value = /^\S+\s*=\s*(:\w+)$/.exec(assignment)?.[1];
  if (value === undefined) throw new Error(`${write.state}: cannot read the status it sets from "${assignment}"`);
  return valueOf(write, value);
}

/**
 * The statuses the condition lets the write start from. Understands conjuncts (AND) of which
 * exactly one is over the status: `s = :a`, `s = :a OR s = :b`, or `s IN (:a, :b)`.
 */
function fromStatuses(write: StatusWrite, alias: string): string[] {
  const over = (write.condition ?? '')
    .split(/\s+AND\s+/i)
    .map((c) => c.trim().replace(/^\((.*)\)$/, '$1'))
    .filter((c) => c.includes(alias));
  if (over.length !== 1) throw new Error(`${write.state}: expected one condition over the status, found ${over.length}`);
  const condition = over[0]!;
  const list = new RegExp(`^${alias}\\s+IN\\s*\\(([^)]*)\\)$`, 'i').exec(condition)?.[1];
  const placeholders =
    list !== undefined
      ? list.split(',').map((p) => p.trim())
      : condition.split(/\s+OR\s+/i).map((term) => {
          const placeholder = new RegExp(`^${alias}\\s*=\\s*(:\\w+)$`).exec(term.trim())?.[1];
          if (placeholder === undefined) throw new Error(`${write.state}: unsupported status condition "${condition}"`);
          return placeholder;
        });
  return placeholders.map((p) => valueOf(write, p)).sort();
}

const definition: unknown = JSON.parse(readFileSync(join(import.meta.dirname, 'order.asl.json'), 'utf8'));
const statusWrites = writes(record(definition).States).filter((w) => {
  const alias = statusAlias(w);
  return alias !== undefined && toStatus(w, alias) !== undefined;
});

describe('the guarded writes of the workflow', () => {
  it('are exactly the states the test ties to an action', () => {
    expect(statusWrites.map((w) => w.state).sort()).toEqual(Object.keys(ACTION_OF_STATE).sort());
  });

  it.each(Object.entries(ACTION_OF_STATE))('%s moves the order as TRANSITIONS.%s says', (state, action) => {
    const write = statusWrites.find((w) => w.state === state);
    if (write === undefined) throw new Error(`order.asl.json has no status write ${state}`);
    const alias = statusAlias(write)!;
    expect({ from: fromStatuses(write, alias), to: toStatus(write, alias) }).toEqual({
      from: [...TRANSITIONS[action].from].sort(),
      to: TRANSITIONS[action].to,
    });
  });
});

describe('reading a guarded write', () => {
  const write = (condition: string): StatusWrite => ({
    state: 'S',
    condition,
    update: 'SET #st = :to, #v = #v + :one',
    names: { '#st': 'status', '#v': 'version' },
    values: { ':a': 'PLACED', ':b': 'ACCEPTED', ':to': 'CANCELLED' },
  });

  it('reads the status set and every from-status form it supports', () => {
    expect(toStatus(write('#st = :a'), '#st')).toBe('CANCELLED');
    expect(fromStatuses(write('#st = :a'), '#st')).toEqual(['PLACED']);
    expect(fromStatuses(write('attribute_exists(orderId) AND (#st = :b OR #st = :a)'), '#st')).toEqual(['ACCEPTED', 'PLACED']);
    expect(fromStatuses(write('#st IN (:a, :b)'), '#st')).toEqual(['ACCEPTED', 'PLACED']);
  });

  it('refuses a condition it cannot read rather than passing it', () => {
    expect(() => fromStatuses(write('#st <> :a'), '#st')).toThrow(/unsupported status condition/);
    expect(() => fromStatuses(write('attribute_exists(orderId)'), '#st')).toThrow(/one condition over the status/);
  });
});
