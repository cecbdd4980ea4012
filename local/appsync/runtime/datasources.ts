/**
 * Data sources as AppSync runs them for APPSYNC_JS resolvers: the request handler's return value
 * goes in, `ctx.result` or `ctx.error` comes out. Data-source failures never throw: they become
 * `ctx.error` and the response handler decides what to surface.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { isPlainRecord } from './dynamodb-values.js';

export type DataSourceRuntime =
  | { readonly type: 'NONE' }
  | {
      readonly type: 'AWS_LAMBDA';
      /** Rejects with an Error whose `name` is the Lambda errorType and `message` its errorMessage. */
      invoke(payload: unknown, invocationType: 'RequestResponse' | 'Event'): Promise<unknown>;
    }
  | { readonly type: 'AMAZON_DYNAMODB'; readonly tableName: string; readonly client: DynamoDBClient };

export interface DataSourceError {
  readonly message: string;
  readonly type: string;
}

export type DataSourceOutcome = { readonly result: unknown } | { readonly error: DataSourceError };

/** A request object the data source cannot run; AppSync reports these as mapping errors. */
export class InvalidDataSourceRequestError extends Error {
  override readonly name = 'InvalidDataSourceRequestError';
}

export async function executeDataSource(ds: DataSourceRuntime, request: unknown): Promise<DataSourceOutcome> {
  switch (ds.type) {
    case 'NONE':
      return { result: isPlainRecord(request) ? (request['payload'] ?? null) : null };
    case 'AWS_LAMBDA':
      return invokeLambda(ds, request);
    case 'AMAZON_DYNAMODB':
      return executeDynamoDB(ds.client, ds.tableName, request);
  }
}

async function invokeLambda(ds: Extract<DataSourceRuntime, { type: 'AWS_LAMBDA' }>, request: unknown): Promise<DataSourceOutcome> {
  if (!isPlainRecord(request)) throw new InvalidDataSourceRequestError('Lambda request must be an object');
  const operation = request['operation'];
  if (operation === 'BatchInvoke') throw new InvalidDataSourceRequestError('BatchInvoke is not supported by the local runtime');
  if (operation !== 'Invoke')
    throw new InvalidDataSourceRequestError(`Lambda operation must be "Invoke", got ${JSON.stringify(operation)}`);
  const invocationType = request['invocationType'] ?? 'RequestResponse';
  if (invocationType !== 'RequestResponse' && invocationType !== 'Event') {
    throw new InvalidDataSourceRequestError(`invalid invocationType ${JSON.stringify(invocationType)}`);
  }
  try {
    const result = await ds.invoke(request['payload'] ?? null, invocationType);
    // Event (async) invocations have no result; the result crosses AppSync as JSON.
    if (invocationType === 'Event' || result === undefined) return { result: null };
    return { result: JSON.parse(JSON.stringify(result)) as unknown };
  } catch (err) {
    // AppSync reports every function error as Lambda:Unhandled with the Lambda's errorMessage.
    const message = err instanceof Error ? err.message : String(err);
    return { error: { message, type: 'Lambda:Unhandled' } };
  }
}

// ---------------------------------------------------------------------------------------------
// DynamoDB

/** AppSync-typed value (numbers may be JSON numbers, binary is base64) → SDK AttributeValue. */
export function toSdkAttributeValue(value: unknown): AttributeValue {
  if (!isPlainRecord(value)) throw new InvalidDataSourceRequestError(`not a DynamoDB typed value: ${JSON.stringify(value)}`);
  const entries = Object.entries(value);
  const [type, v] = entries[0] ?? [];
  if (entries.length !== 1 || type === undefined) {
    throw new InvalidDataSourceRequestError(`a DynamoDB typed value has exactly one type key: ${JSON.stringify(value)}`);
  }
  const list = (x: unknown): unknown[] => {
    if (!Array.isArray(x)) throw new InvalidDataSourceRequestError(`${type} needs a list`);
    return x;
  };
  switch (type) {
    case 'S':
      return { S: String(v) };
    case 'N':
      return { N: String(v) };
    case 'BOOL':
      return { BOOL: v === true };
    case 'NULL':
      return { NULL: true };
    case 'B':
      return { B: Buffer.from(String(v), 'base64') };
    case 'SS':
      return { SS: list(v).map(String) };
    case 'NS':
      return { NS: list(v).map(String) };
    case 'BS':
      return { BS: list(v).map((b) => Buffer.from(String(b), 'base64')) };
    case 'L':
      return { L: list(v).map(toSdkAttributeValue) };
    case 'M':
      return { M: toSdkMap(v) };
    default:
      throw new InvalidDataSourceRequestError(`unknown DynamoDB type "${type}"`);
  }
}

function toSdkMap(value: unknown): Record<string, AttributeValue> {
  if (!isPlainRecord(value)) throw new InvalidDataSourceRequestError('expected a map of DynamoDB typed values');
  const out: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(value)) out[k] = toSdkAttributeValue(v);
  return out;
}

/** SDK AttributeValue → plain JSON, as AppSync hands DynamoDB results to `ctx.result`. */
export function fromSdkAttributeValue(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.B !== undefined) return Buffer.from(value.B).toString('base64');
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map(Number);
  if (value.BS !== undefined) return value.BS.map((b) => Buffer.from(b).toString('base64'));
  if (value.L !== undefined) return value.L.map(fromSdkAttributeValue);
  if (value.M !== undefined) return fromSdkItem(value.M);
  return null;
}

export function fromSdkItem(item: Record<string, AttributeValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) out[k] = fromSdkAttributeValue(v);
  return out;
}

interface Expression {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, AttributeValue>;
}

/** `condition` / `filter` / `query` / `update` / `projection` blocks; `condition` may be JSON text. */
function parseExpression(raw: unknown, what: string): Expression | undefined {
  if (raw === undefined || raw === null) return undefined;
  const value: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
  if (value === null) return undefined;
  if (!isPlainRecord(value) || typeof value['expression'] !== 'string') {
    throw new InvalidDataSourceRequestError(`${what} must be { expression, expressionNames?, expressionValues? }`);
  }
  const names = value['expressionNames'];
  if (names !== undefined && names !== null && (!isPlainRecord(names) || !Object.values(names).every((n) => typeof n === 'string'))) {
    throw new InvalidDataSourceRequestError(`${what}.expressionNames must map placeholders to strings`);
  }
  const values = value['expressionValues'];
  return {
    expression: value['expression'],
    ...(isPlainRecord(names) && Object.keys(names).length > 0 ? { names: names as Record<string, string> } : {}),
    ...(values !== undefined && values !== null && isPlainRecord(values) && Object.keys(values).length > 0
      ? { values: toSdkMap(values) }
      : {}),
  };
}

/** Merges the placeholders of several expressions into the SDK's two maps (omitted when empty). */
function placeholders(...exprs: (Expression | undefined)[]) {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  for (const e of exprs) {
    Object.assign(names, e?.names ?? {});
    Object.assign(values, e?.values ?? {});
  }
  return {
    ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}

function nonEmpty(expr: Expression | undefined): string | undefined {
  return expr && expr.expression.trim() !== '' ? expr.expression : undefined;
}

/** Opaque pagination token: base64 of the SDK's LastEvaluatedKey. */
function encodeToken(key: Record<string, AttributeValue> | undefined): string | null {
  if (key === undefined) return null;
  return Buffer.from(JSON.stringify(fromTypedForToken(key)), 'utf8').toString('base64');
}

function fromTypedForToken(key: Record<string, AttributeValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(key)) {
    out[k] =
      v.S !== undefined ? { S: v.S } : v.N !== undefined ? { N: v.N } : { B: Buffer.from(v.B ?? new Uint8Array()).toString('base64') };
  }
  return out;
}

function decodeToken(token: unknown): Record<string, AttributeValue> | undefined {
  if (token === undefined || token === null) return undefined;
  if (typeof token !== 'string') throw new InvalidDataSourceRequestError('nextToken must be a string');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw new InvalidDataSourceRequestError('nextToken is not a token this data source issued');
  }
  return toSdkMap(parsed);
}

const PUBLIC_ERROR_PREFIX = 'DynamoDB:';

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainRecord(a) && isPlainRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function withoutKeys(item: Record<string, unknown>, ignore: readonly string[]): Record<string, unknown> {
  const out = { ...item };
  for (const k of ignore) delete out[k];
  return out;
}

async function executeDynamoDB(client: DynamoDBClient, TableName: string, request: unknown): Promise<DataSourceOutcome> {
  if (!isPlainRecord(request)) throw new InvalidDataSourceRequestError('DynamoDB request must be an object');
  const operation = request['operation'];
  const key = (): Record<string, AttributeValue> => toSdkMap(request['key']);
  const conditionRaw: unknown = typeof request['condition'] === 'string' ? JSON.parse(request['condition']) : request['condition'];
  const condition = parseExpression(conditionRaw, 'condition');
  const equalsIgnore = isPlainRecord(conditionRaw) ? conditionRaw['equalsIgnore'] : undefined;
  const ignore = Array.isArray(equalsIgnore) ? equalsIgnore.filter((x): x is string => typeof x === 'string') : [];

  try {
    switch (operation) {
      case 'GetItem': {
        const projection = parseExpression(request['projection'], 'projection');
        const out = await client.send(
          new GetItemCommand({
            TableName,
            Key: key(),
            ConsistentRead: request['consistentRead'] === true,
            ...(projection ? { ProjectionExpression: projection.expression, ...placeholders(projection) } : {}),
          }),
        );
        return { result: out.Item ? fromSdkItem(out.Item) : null };
      }
      case 'PutItem': {
        const Item = { ...toSdkMap(request['attributeValues'] ?? {}), ...key() };
        await client.send(
          new PutItemCommand({
            TableName,
            Item,
            ...(nonEmpty(condition) ? { ConditionExpression: nonEmpty(condition), ...placeholders(condition) } : {}),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { result: fromSdkItem(Item) };
      }
      case 'UpdateItem': {
        const update = parseExpression(request['update'], 'update');
        if (!update) throw new InvalidDataSourceRequestError('UpdateItem needs an update expression');
        const out = await client.send(
          new UpdateItemCommand({
            TableName,
            Key: key(),
            UpdateExpression: update.expression,
            ...(nonEmpty(condition) ? { ConditionExpression: nonEmpty(condition) } : {}),
            ...placeholders(update, nonEmpty(condition) ? condition : undefined),
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { result: out.Attributes ? fromSdkItem(out.Attributes) : null };
      }
      case 'DeleteItem': {
        const out = await client.send(
          new DeleteItemCommand({
            TableName,
            Key: key(),
            ...(nonEmpty(condition) ? { ConditionExpression: nonEmpty(condition), ...placeholders(condition) } : {}),
            ReturnValues: 'ALL_OLD',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { result: out.Attributes ? fromSdkItem(out.Attributes) : null };
      }
      case 'Query':
      case 'Scan': {
        const keyCondition = operation === 'Query' ? parseExpression(request['query'], 'query') : undefined;
        if (operation === 'Query' && !keyCondition) throw new InvalidDataSourceRequestError('Query needs a query expression');
        const filter = parseExpression(request['filter'], 'filter');
        const projection = parseExpression(request['projection'], 'projection');
        const common = {
          TableName,
          ...(typeof request['index'] === 'string' ? { IndexName: request['index'] } : {}),
          ...(typeof request['limit'] === 'number' ? { Limit: request['limit'] } : {}),
          ...(request['consistentRead'] === true ? { ConsistentRead: true } : {}),
          ...(typeof request['select'] === 'string' ? { Select: request['select'] as 'ALL_ATTRIBUTES' } : {}),
          ...(nonEmpty(filter) ? { FilterExpression: nonEmpty(filter) } : {}),
          ...(projection ? { ProjectionExpression: projection.expression } : {}),
          ...placeholders(keyCondition, nonEmpty(filter) ? filter : undefined, projection),
          ExclusiveStartKey: decodeToken(request['nextToken']),
        };
        const out =
          operation === 'Query'
            ? await client.send(
                new QueryCommand({
                  ...common,
                  KeyConditionExpression: keyCondition?.expression,
                  ...(request['scanIndexForward'] === false ? { ScanIndexForward: false } : {}),
                }),
              )
            : await client.send(
                new ScanCommand({
                  ...common,
                  ...(typeof request['segment'] === 'number' ? { Segment: request['segment'] } : {}),
                  ...(typeof request['totalSegments'] === 'number' ? { TotalSegments: request['totalSegments'] } : {}),
                }),
              );
        return {
          result: {
            items: (out.Items ?? []).map(fromSdkItem),
            nextToken: encodeToken(out.LastEvaluatedKey),
            scannedCount: out.ScannedCount ?? 0,
          },
        };
      }
      default:
        throw new InvalidDataSourceRequestError(
          `DynamoDB operation ${JSON.stringify(operation)} is not supported by the local runtime (GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan are)`,
        );
    }
  } catch (err) {
    if (err instanceof InvalidDataSourceRequestError) throw err;
    if (err instanceof ConditionalCheckFailedException) {
      // AppSync treats a failed condition as success when the item already is what was asked for.
      const current = err.Item ? fromSdkItem(err.Item) : null;
      if (operation === 'PutItem' && current !== null) {
        const desired = fromSdkItem({ ...toSdkMap(request['attributeValues'] ?? {}), ...key() });
        if (deepEqual(withoutKeys(current, ignore), withoutKeys(desired, ignore))) return { result: current };
      }
      if (operation === 'DeleteItem' && current === null) return { result: null };
      return { error: { message: 'The conditional request failed', type: `${PUBLIC_ERROR_PREFIX}ConditionalCheckFailedException` } };
    }
    const name = err instanceof Error ? err.name : 'InternalFailure';
    const message = err instanceof Error ? err.message : String(err);
    return { error: { message, type: `${PUBLIC_ERROR_PREFIX}${name}` } };
  }
}
