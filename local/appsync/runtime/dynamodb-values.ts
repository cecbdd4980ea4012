/**
 * `util.dynamodb.*` as AppSync's APPSYNC_JS runtime implements it. Output matches AWS's recorded
 * EvaluateCode results: numbers stay JSON numbers (`{"N":10}`, `{"NS":[1,2]}`), arrays become `L`
 * (never sets), objects `M`, `null` becomes `{"NULL":null}`. Properties whose value is `undefined`
 * are dropped, as JSON serialisation would drop them on AWS.
 */

export type AppSyncAttributeValue =
  | { S: string }
  | { N: number }
  | { BOOL: boolean }
  | { NULL: null }
  | { L: AppSyncAttributeValue[] }
  | { M: Record<string, AppSyncAttributeValue> }
  | { SS: string[] }
  | { NS: number[] }
  | { B: string }
  | { BS: string[] };

/** Thrown for a value that has no DynamoDB representation (a function, a symbol, a bigint). */
export class UnsupportedDynamoDBValueError extends Error {
  override readonly name = 'UnsupportedDynamoDBValueError';
}

export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function toDynamoDB(value: unknown): AppSyncAttributeValue {
  if (value === null || value === undefined) return { NULL: null };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: value };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map((v: unknown) => toDynamoDB(v)) };
  if (isPlainRecord(value)) {
    // Dates and other objects go through JSON first, as AppSync only ever sees JSON.
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      return toDynamoDB(JSON.parse(JSON.stringify(value)) as unknown);
    }
    return { M: toMapValues(value) };
  }
  throw new UnsupportedDynamoDBValueError(`Cannot convert a ${typeof value} to a DynamoDB value`);
}

export function toMapValues(value: unknown): Record<string, AppSyncAttributeValue> {
  if (!isPlainRecord(value)) {
    throw new UnsupportedDynamoDBValueError('toMapValues expects an object');
  }
  const out: Record<string, AppSyncAttributeValue> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[k] = toDynamoDB(v);
  }
  return out;
}

function expectArray(value: unknown, fn: string): unknown[] {
  if (!Array.isArray(value)) throw new UnsupportedDynamoDBValueError(`${fn} expects an array`);
  return value as unknown[];
}

/** The members of `util.dynamodb` that the runtime implements (the static check reads the keys). */
export const dynamodbUtils = {
  toDynamoDB,
  toMapValues,
  toString: (value: unknown) => ({ S: String(value) }),
  toNumber: (value: unknown) => ({ N: typeof value === 'number' ? value : Number(value) }),
  toBoolean: (value: unknown) => ({ BOOL: Boolean(value) }),
  toNull: () => ({ NULL: null }),
  toList: (value: unknown) => ({ L: expectArray(value, 'toList').map((v) => toDynamoDB(v)) }),
  toMap: (value: unknown) => ({ M: toMapValues(value) }),
  toStringSet: (value: unknown) => ({ SS: expectArray(value, 'toStringSet').map((v) => String(v)) }),
  toNumberSet: (value: unknown) => ({
    NS: expectArray(value, 'toNumberSet').map((v) => (typeof v === 'number' ? v : Number(v))),
  }),
  /** `value` is base64 text, kept as given (AWS keeps it as a string in the request object). */
  toBinary: (value: unknown) => ({ B: String(value) }),
  toBinarySet: (value: unknown) => ({ BS: expectArray(value, 'toBinarySet').map((v) => String(v)) }),
  toS3Object: (key: unknown, bucket: unknown, region: unknown, version?: unknown) => ({
    S: JSON.stringify({
      s3: version === undefined ? { key, bucket, region } : { key, bucket, region, version },
    }),
  }),
};
