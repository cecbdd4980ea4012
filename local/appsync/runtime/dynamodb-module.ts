/**
 * `@aws-appsync/utils/dynamodb` as the APPSYNC_JS runtime provides it: helpers that build
 * DynamoDB data-source request objects from plain values. Output of `get`, `put`, `remove`,
 * `scan`, `update` (operations) and the operation markers matches AWS's recorded results; the
 * placeholder names AWS uses for `query` key conditions and projections were not recorded, so
 * these produce an equivalent, valid expression (see README).
 */
import { dynamodbUtils, isPlainRecord, toDynamoDB, toMapValues, type AppSyncAttributeValue } from './dynamodb-values.js';
import { toDynamoDBExpression, type DynamoDBExpression } from './transform.js';

/** Raised (as a resolver code error) for helper input AWS would reject. */
export class InvalidDynamoDBHelperInputError extends Error {
  override readonly name = 'InvalidDynamoDBHelperInputError';
}

type Operation =
  | { type: 'OPERATION_INCREMENT'; by: number }
  | { type: 'OPERATION_DECREMENT'; by: number }
  | { type: 'OPERATION_APPEND'; items: unknown[] }
  | { type: 'OPERATION_PREPEND'; items: unknown[] }
  | { type: 'OPERATION_ADD'; value: unknown }
  | { type: 'OPERATION_REPLACE'; value: unknown }
  | { type: 'OPERATION_REMOVE' }
  | { type: 'OPERATION_UPDATE_LIST_ITEM'; value: unknown; index: number };

export const operations = {
  increment: (by: number = 1): Operation => ({ type: 'OPERATION_INCREMENT', by }),
  decrement: (by: number = 1): Operation => ({ type: 'OPERATION_DECREMENT', by }),
  append: (items: unknown[]): Operation => ({ type: 'OPERATION_APPEND', items }),
  prepend: (items: unknown[]): Operation => ({ type: 'OPERATION_PREPEND', items }),
  add: (value: unknown): Operation => ({ type: 'OPERATION_ADD', value }),
  replace: (value: unknown): Operation => ({ type: 'OPERATION_REPLACE', value }),
  remove: (): Operation => ({ type: 'OPERATION_REMOVE' }),
  updateListItem: (value: unknown, index: number): Operation => ({ type: 'OPERATION_UPDATE_LIST_ITEM', value, index }),
};

const OPERATION_TYPES = new Set([
  'OPERATION_INCREMENT',
  'OPERATION_DECREMENT',
  'OPERATION_APPEND',
  'OPERATION_PREPEND',
  'OPERATION_ADD',
  'OPERATION_REPLACE',
  'OPERATION_REMOVE',
  'OPERATION_UPDATE_LIST_ITEM',
]);

function asOperation(value: unknown): Operation | null {
  if (!isPlainRecord(value) || typeof value['type'] !== 'string' || !OPERATION_TYPES.has(value['type'])) return null;
  return value as Operation;
}

function expectRecord(value: unknown, what: string): Record<string, unknown> {
  if (!isPlainRecord(value)) throw new InvalidDynamoDBHelperInputError(`${what} must be an object`);
  return value;
}

function condition(value: unknown): DynamoDBExpression | undefined {
  if (value === undefined || value === null) return undefined;
  const expr = toDynamoDBExpression(value);
  if (expr === null) throw new InvalidDynamoDBHelperInputError('condition cannot be rendered as a DynamoDB expression');
  return expr;
}

/** Projection list → `{ expression, expressionNames }`; each path segment gets a name. */
function projection(value: unknown): { expression: string; expressionNames: Record<string, string> } | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new InvalidDynamoDBHelperInputError('projection must be a list of attribute paths');
  const expressionNames: Record<string, string> = {};
  let n = 0;
  const paths = value.map((path: unknown) => {
    if (typeof path !== 'string') throw new InvalidDynamoDBHelperInputError('projection entries must be strings');
    return path
      .split('.')
      .map((segment) => {
        const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(segment);
        if (m === null) throw new InvalidDynamoDBHelperInputError(`invalid projection path "${path}"`);
        const name = `#projection_${n}`;
        n += 1;
        expressionNames[name] = m[1] ?? '';
        return `${name}${m[2] ?? ''}`;
      })
      .join('.');
  });
  return { expression: paths.join(', '), expressionNames };
}

/** Copies the listed options when present (AWS omits absent options from the request). */
function pick(input: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = input[k];
    if (v !== undefined && v !== null) out[k] = v;
  }
  return out;
}

export function get(payload: unknown): Record<string, unknown> {
  const input = expectRecord(payload, 'get input');
  const out: Record<string, unknown> = { operation: 'GetItem', key: toMapValues(expectRecord(input['key'], 'key')) };
  Object.assign(out, pick(input, ['consistentRead']));
  const proj = projection(input['projection']);
  if (proj) out['projection'] = proj;
  return out;
}

const WRITE_OPTIONS = ['customPartitionKey', 'populateIndexFields', '_version'] as const;

export function put(payload: unknown): Record<string, unknown> {
  const input = expectRecord(payload, 'put input');
  const out: Record<string, unknown> = {
    operation: 'PutItem',
    key: toMapValues(expectRecord(input['key'], 'key')),
    attributeValues: toMapValues(expectRecord(input['item'] ?? {}, 'item')),
  };
  const cond = condition(input['condition']);
  if (cond) out['condition'] = cond;
  return Object.assign(out, pick(input, WRITE_OPTIONS));
}

export function remove(payload: unknown): Record<string, unknown> {
  const input = expectRecord(payload, 'remove input');
  const out: Record<string, unknown> = { operation: 'DeleteItem', key: toMapValues(expectRecord(input['key'], 'key')) };
  const cond = condition(input['condition']);
  if (cond) out['condition'] = cond;
  return Object.assign(out, pick(input, WRITE_OPTIONS));
}

/**
 * `update`: one `#expName_N` / `:expValue_N` pair per field, numbered from 1 in key order
 * (AWS's recorded naming); SET clauses first, then REMOVE.
 */
export function update(payload: unknown): Record<string, unknown> {
  const input = expectRecord(payload, 'update input');
  const changes = expectRecord(input['update'], 'update');
  const sets: string[] = [];
  const removes: string[] = [];
  const expressionNames: Record<string, string> = {};
  const expressionValues: Record<string, AppSyncAttributeValue> = {};
  let n = 0;
  for (const [field, change] of Object.entries(changes)) {
    if (change === undefined) continue;
    n += 1;
    const name = `#expName_${n}`;
    const value = `:expValue_${n}`;
    expressionNames[name] = field;
    const op = asOperation(change);
    if (op === null) {
      sets.push(`${name} = ${value}`);
      expressionValues[value] = toDynamoDB(change);
      continue;
    }
    switch (op.type) {
      case 'OPERATION_INCREMENT':
      case 'OPERATION_DECREMENT':
        sets.push(`${name} = ${name} ${op.type === 'OPERATION_INCREMENT' ? '+' : '-'} ${value}`);
        expressionValues[value] = toDynamoDB(op.by);
        break;
      case 'OPERATION_APPEND':
        sets.push(`${name} = list_append(${name}, ${value})`);
        expressionValues[value] = toDynamoDB(op.items);
        break;
      case 'OPERATION_PREPEND':
        sets.push(`${name} = list_append(${value}, ${name})`);
        expressionValues[value] = toDynamoDB(op.items);
        break;
      case 'OPERATION_ADD':
      case 'OPERATION_REPLACE':
        sets.push(`${name} = ${value}`);
        expressionValues[value] = toDynamoDB(op.value);
        break;
      case 'OPERATION_UPDATE_LIST_ITEM':
        if (!Number.isInteger(op.index) || op.index < 0) {
          throw new InvalidDynamoDBHelperInputError('updateListItem index must be a non-negative integer');
        }
        sets.push(`${name}[${op.index}] = ${value}`);
        expressionValues[value] = toDynamoDB(op.value);
        break;
      case 'OPERATION_REMOVE':
        removes.push(name);
        break;
    }
  }
  const clauses: string[] = [];
  if (sets.length > 0) clauses.push(`SET ${sets.join(', ')}`);
  if (removes.length > 0) clauses.push(`REMOVE ${removes.join(', ')}`);
  if (clauses.length === 0) throw new InvalidDynamoDBHelperInputError('update must change at least one attribute');
  const out: Record<string, unknown> = {
    operation: 'UpdateItem',
    key: toMapValues(expectRecord(input['key'], 'key')),
    update: { expression: clauses.join(' '), expressionNames, expressionValues },
  };
  const cond = condition(input['condition']);
  if (cond) out['condition'] = cond;
  return Object.assign(out, pick(input, WRITE_OPTIONS));
}

const KEY_COMPARATORS: Readonly<Record<string, string>> = { eq: '=', lt: '<', le: '<=', gt: '>', ge: '>=' };

/** Key condition: partition key `eq`, sort key comparison / `between` / `beginsWith`. */
function keyCondition(value: unknown): DynamoDBExpression {
  const query = expectRecord(value, 'query');
  const parts: string[] = [];
  const expressionNames: Record<string, string> = {};
  const expressionValues: Record<string, AppSyncAttributeValue> = {};
  for (const [field, opsValue] of Object.entries(query)) {
    if (opsValue === undefined) continue;
    const ops = expectRecord(opsValue, `query.${field}`);
    const name = `#${field}`;
    expressionNames[name] = field;
    for (const [op, operand] of Object.entries(ops)) {
      if (operand === undefined) continue;
      const v = `:${field}_${op}`;
      const cmp = KEY_COMPARATORS[op];
      if (cmp !== undefined) {
        parts.push(`${name} ${cmp} ${v}`);
        expressionValues[v] = toDynamoDB(operand);
      } else if (op === 'beginsWith') {
        parts.push(`begins_with(${name}, ${v})`);
        expressionValues[v] = toDynamoDB(operand);
      } else if (op === 'between' && Array.isArray(operand) && operand.length >= 2) {
        parts.push(`${name} BETWEEN ${v}_start AND ${v}_end`);
        expressionValues[`${v}_start`] = toDynamoDB(operand[0]);
        expressionValues[`${v}_end`] = toDynamoDB(operand[1]);
      } else {
        throw new InvalidDynamoDBHelperInputError(`unsupported key condition operator "${op}" on ${field}`);
      }
    }
  }
  if (parts.length === 0) throw new InvalidDynamoDBHelperInputError('query needs a partition key condition');
  return { expression: parts.join(' AND '), expressionNames, expressionValues };
}

const READ_OPTIONS = ['index', 'limit', 'nextToken', 'consistentRead', 'select', 'scanIndexForward', 'segment', 'totalSegments'] as const;

function readRequest(operation: 'Query' | 'Scan', input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { operation, ...pick(input, READ_OPTIONS) };
  if (input['filter'] !== undefined && input['filter'] !== null) {
    const filter = toDynamoDBExpression(input['filter']);
    if (filter === null) throw new InvalidDynamoDBHelperInputError('filter cannot be rendered as a DynamoDB expression');
    if (filter.expression !== '') out['filter'] = filter;
  }
  const proj = projection(input['projection']);
  if (proj) out['projection'] = proj;
  return out;
}

export function query(payload: unknown): Record<string, unknown> {
  const input = expectRecord(payload, 'query input');
  return { ...readRequest('Query', input), query: keyCondition(input['query']) };
}

export function scan(payload: unknown): Record<string, unknown> {
  return readRequest('Scan', expectRecord(payload ?? {}, 'scan input'));
}

/**
 * The module's exports, as resolvers import them; the static check reads these keys. Only names
 * the real module declares (`@aws-appsync/utils/dynamodb.d.ts`) are offered: `toDynamoDB` lives
 * on `util.dynamodb`, not here.
 */
export const dynamodbModule = {
  get,
  put,
  remove,
  update,
  query,
  scan,
  operations,
  toStringSet: dynamodbUtils.toStringSet,
  toNumberSet: dynamodbUtils.toNumberSet,
  toBinarySet: dynamodbUtils.toBinarySet,
};
