/**
 * `util`, `runtime` and `extensions` for one resolver invocation. `util.error`,
 * `util.unauthorized` and `runtime.earlyReturn` end the handler by throwing a signal: safe because
 * APPSYNC_JS code cannot catch (the static check rejects try/catch), so the signal always
 * reaches the sandbox boundary.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AppSyncFieldError, AuthType } from '../types.js';
import { dynamodbUtils } from './dynamodb-values.js';
import { toDynamoDBExpressionJson, toSubscriptionFilter, type SubscriptionFilter } from './transform.js';

/** `util.error(...)`: the field resolves to null with this error. */
export class UtilErrorSignal {
  constructor(readonly error: AppSyncFieldError) {}
}
/** `util.unauthorized()`. */
export class UnauthorizedSignal {}
/** `runtime.earlyReturn(value)`: skip the data source and response handler. */
export class EarlyReturnSignal {
  constructor(readonly value: unknown) {}
}

export interface SubscriptionInvalidation {
  readonly subscriptionField: string;
  readonly payload: Record<string, unknown>;
}

/** What `extensions.*` recorded during one invocation, for the server to act on. */
export interface ExtensionsRecord {
  subscriptionFilter: SubscriptionFilter | null;
  subscriptionInvalidationFilter: SubscriptionFilter | null;
  invalidations: SubscriptionInvalidation[];
}

/** Per-invocation mutable state shared by util/extensions and the invocation driver. */
export interface InvocationState {
  readonly authType: AuthType;
  readonly appendedErrors: AppSyncFieldError[];
  readonly extensions: ExtensionsRecord;
  readonly logs: string[];
  readonly logger?: ((line: string) => void) | undefined;
}

export function newInvocationState(authType: AuthType, logger?: (line: string) => void): InvocationState {
  return {
    authType,
    appendedErrors: [],
    extensions: { subscriptionFilter: null, subscriptionInvalidationFilter: null, invalidations: [] },
    logs: [],
    logger,
  };
}

/** AppSync allows at most this many `extensions.invalidateSubscriptions` calls per request. */
export const MAX_INVALIDATIONS = 5;

const AUTH_TYPE_NAMES: Readonly<Record<AuthType, string>> = {
  API_KEY: 'API Key Authorization',
  AWS_IAM: 'IAM Authorization',
  AMAZON_COGNITO_USER_POOLS: 'User Pool Authorization',
};

function fieldError(message: unknown, errorType: unknown, data: unknown, errorInfo: unknown): AppSyncFieldError {
  return {
    message: String(message),
    errorType: errorType === undefined || errorType === null ? null : String(errorType),
    data: data === undefined ? null : data,
    errorInfo: errorInfo === undefined ? null : errorInfo,
  };
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** KSUID epoch: 2014-05-13T16:53:20Z, in seconds. */
const KSUID_EPOCH = 1_400_000_000;

function autoUlid(): string {
  let time = Date.now();
  let timePart = '';
  for (let i = 0; i < 10; i += 1) {
    timePart = (CROCKFORD[time % 32] ?? '0') + timePart;
    time = Math.floor(time / 32);
  }
  const rand = randomBytes(16);
  let randPart = '';
  for (let i = 0; i < 16; i += 1) randPart += CROCKFORD[(rand[i] ?? 0) % 32] ?? '0';
  return timePart + randPart;
}

function autoKsuid(): string {
  const bytes = Buffer.alloc(20);
  bytes.writeUInt32BE(Math.floor(Date.now() / 1000) - KSUID_EPOCH, 0);
  randomBytes(16).copy(bytes, 4);
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = (BASE62[Number(n % 62n)] ?? '0') + out;
    n /= 62n;
  }
  return out.padStart(27, '0');
}

/** Java `StringEscapeUtils.escapeEcmaScript`, which AppSync's `escapeJavaScript` follows. */
function escapeJavaScript(value: unknown): string {
  let out = '';
  for (const ch of String(value)) {
    const code = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case "'":
        out += "\\'";
        break;
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '/':
        out += '\\/';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\r':
        out += '\\r';
        break;
      default:
        if (code < 0x20 || code > 0x7e) {
          // Astral characters become a surrogate pair of \uXXXX escapes, as in Java.
          for (let i = 0; i < ch.length; i += 1) {
            out += `\\u${ch.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`;
          }
        } else {
          out += ch;
        }
    }
  }
  return out;
}

/** Java `URLEncoder.encode(value, UTF-8)`: space → `+`, only `A-Za-z0-9.-*_` kept. */
function urlEncode(value: unknown): string {
  return encodeURIComponent(String(value))
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

function urlDecode(value: unknown): string {
  return decodeURIComponent(String(value).replace(/\+/g, ' '));
}

/** Thrown for input a util function cannot handle; surfaces as a resolver code error. */
export class UtilArgumentError extends Error {
  override readonly name = 'UtilArgumentError';
}

/**
 * Java regex → JS RegExp anchored at both ends. Unicode mode first; Java accepts escapes such as
 * `\-` outside classes that unicode mode refuses, so fall back to legacy mode.
 */
function javaRegex(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return new RegExp(`^(?:${pattern})$`);
  }
}

function parseIso(value: unknown): number {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new UtilArgumentError(`Not an ISO-8601 timestamp: ${String(value)}`);
  return ms;
}

function toMillis(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new UtilArgumentError(`Expected epoch milliseconds, got ${String(value)}`);
  }
  return value;
}

/** Builds the three runtime objects for one invocation; the static check reads their shape. */
export function createRuntimeObjects(state: InvocationState) {
  const util = {
    autoId: (): string => randomUUID(),
    autoUlid,
    autoKsuid,
    error(message: unknown, errorType?: unknown, data?: unknown, errorInfo?: unknown): never {
      throw new UtilErrorSignal(fieldError(message, errorType, data, errorInfo));
    },
    appendError(message: unknown, errorType?: unknown, data?: unknown, errorInfo?: unknown): void {
      state.appendedErrors.push(fieldError(message, errorType, data, errorInfo));
    },
    unauthorized(): never {
      throw new UnauthorizedSignal();
    },
    escapeJavaScript,
    urlEncode,
    urlDecode,
    base64Encode: (value: unknown): string => Buffer.from(String(value), 'utf8').toString('base64'),
    base64Decode: (value: unknown): string => Buffer.from(String(value), 'base64').toString('utf8'),
    /** Java `String.matches`: the whole value must match. */
    matches: (pattern: unknown, value: unknown): boolean => javaRegex(String(pattern)).test(String(value)),
    authType: (): string => AUTH_TYPE_NAMES[state.authType],
    time: {
      nowISO8601: (): string => new Date().toISOString(),
      nowEpochSeconds: (): number => Math.floor(Date.now() / 1000),
      nowEpochMilliSeconds: (): number => Date.now(),
      epochMilliSecondsToSeconds: (ms: unknown): number => Math.floor(toMillis(ms) / 1000),
      epochMilliSecondsToISO8601: (ms: unknown): string => new Date(toMillis(ms)).toISOString(),
      parseISO8601ToEpochMilliSeconds: (value: unknown): number => parseIso(value),
    },
    dynamodb: dynamodbUtils,
    transform: {
      toDynamoDBFilterExpression: toDynamoDBExpressionJson,
      toDynamoDBConditionExpression: toDynamoDBExpressionJson,
      toSubscriptionFilter,
    },
  };

  const runtime = {
    earlyReturn(value?: unknown, _options?: unknown): never {
      throw new EarlyReturnSignal(value === undefined ? null : value);
    },
  };

  const extensions = {
    setSubscriptionFilter(filter: unknown): void {
      state.extensions.subscriptionFilter = parseSubscriptionFilter(filter);
    },
    setSubscriptionInvalidationFilter(filter: unknown): void {
      state.extensions.subscriptionInvalidationFilter = parseSubscriptionFilter(filter);
    },
    invalidateSubscriptions(invalidation: unknown): void {
      if (state.extensions.invalidations.length >= MAX_INVALIDATIONS) {
        throw new UtilErrorSignal(
          fieldError(
            `extensions.invalidateSubscriptions may be called at most ${MAX_INVALIDATIONS} times per request`,
            'InvalidationLimitExceeded',
            null,
            null,
          ),
        );
      }
      if (
        typeof invalidation !== 'object' ||
        invalidation === null ||
        typeof (invalidation as { subscriptionField?: unknown }).subscriptionField !== 'string'
      ) {
        throw new UtilArgumentError('invalidateSubscriptions expects { subscriptionField: string, payload: object }');
      }
      const { subscriptionField, payload } = invalidation as { subscriptionField: string; payload?: unknown };
      state.extensions.invalidations.push({
        subscriptionField,
        payload: typeof payload === 'object' && payload !== null ? (JSON.parse(JSON.stringify(payload)) as Record<string, unknown>) : {},
      });
    },
  };

  return { util, runtime, extensions };
}

/** Accepts the output of `toSubscriptionFilter` (an object) or its JSON text. */
function parseSubscriptionFilter(filter: unknown): SubscriptionFilter {
  const value: unknown = typeof filter === 'string' ? JSON.parse(filter) : filter;
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { filterGroup?: unknown }).filterGroup)) {
    throw new UtilArgumentError('subscription filter must be { filterGroup: [...] } (use util.transform.toSubscriptionFilter)');
  }
  return JSON.parse(JSON.stringify(value)) as SubscriptionFilter;
}

export type RuntimeObjects = ReturnType<typeof createRuntimeObjects>;
