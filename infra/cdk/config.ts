/**
 * Deployment settings, read once from CDK context (`cdk.json` or `-c key=value`) and validated:
 * a bad value fails the synth with a message naming the key, never a half-configured stack.
 * Values from `-c` arrive as strings, values from cdk.json keep their JSON type; both are accepted.
 */
import { ORS_API_KEY_PARAMETER } from '../manifest.js';

/** What happens to stateful resources (tables, log groups) when the stack is deleted. */
export type Retention = 'destroy' | 'retain';

export interface StackConfig {
  /** Deployment stage; part of the stack name. @default 'dev' */
  readonly stage: string;
  /** @default 'ServerlessPizza-<stage>' */
  readonly stackName: string;
  /** @default 'retain' for stage 'prod', else 'destroy' */
  readonly retention: Retention;
  /** Days until the AppSync API key (public `listStores` only) expires (1–365). @default 30 */
  readonly apiKeyExpiryDays: number;
  /** GraphQL introspection. @default true, except stage 'prod' */
  readonly introspection: boolean;
  /** Name of the SSM SecureString holding the openrouteservice key; the value never enters the template. */
  readonly orsApiKeyParameter: string;
  /**
   * ARN of the customer-managed KMS key that encrypts that parameter. Absent: any key of this
   * account/region, still limited to decrypting that one parameter through SSM.
   */
  readonly orsApiKeyKmsKeyArn?: string;
  /** CloudWatch Logs retention in days for every log group. @default 14 */
  readonly logRetentionDays: number;
  /**
   * Email address subscribed to the alarm topic (infra/cdk/monitoring.ts); it must confirm the
   * subscription from the email SNS sends. Absent: the topic has no subscriber, and the deploy
   * output `AlarmSubscriber` says so.
   */
  readonly alarmEmail?: string;
}

export class InvalidContextError extends Error {
  override readonly name = 'InvalidContextError';
  constructor(key: string, detail: string) {
    super(`CDK context "${key}": ${detail}`);
  }
}

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

type Lookup = (key: string) => unknown;

function str(get: Lookup, key: string): string | undefined {
  const v = get(key);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new InvalidContextError(key, `expected a string, got ${JSON.stringify(v)}`);
  return v;
}

function bool(get: Lookup, key: string): boolean | undefined {
  const v = get(key);
  if (v === undefined || v === null || v === '') return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new InvalidContextError(key, `expected true or false, got ${JSON.stringify(v)}`);
}

function int(get: Lookup, key: string): number | undefined {
  const v = get(key);
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n)) throw new InvalidContextError(key, `expected a whole number, got ${JSON.stringify(v)}`);
  return n;
}

/** Builds the config from a context lookup such as `(k) => app.node.tryGetContext(k)`. */
export function stackConfigFromContext(get: Lookup): StackConfig {
  const stage = str(get, 'stage') ?? 'dev';
  if (!/^[A-Za-z][A-Za-z0-9-]{0,30}$/.test(stage))
    throw new InvalidContextError('stage', 'use 1–31 letters, digits or "-", starting with a letter');
  const retention = str(get, 'retention') ?? (stage === 'prod' ? 'retain' : 'destroy');
  if (retention !== 'destroy' && retention !== 'retain') throw new InvalidContextError('retention', 'expected "destroy" or "retain"');
  const apiKeyExpiryDays = int(get, 'apiKeyExpiryDays') ?? 30;
  if (apiKeyExpiryDays < 1 || apiKeyExpiryDays > 365)
    throw new InvalidContextError('apiKeyExpiryDays', 'AppSync API keys expire after 1 to 365 days');
  const logRetentionDays = int(get, 'logRetentionDays') ?? 14;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    throw new InvalidContextError('logRetentionDays', `CloudWatch Logs accepts ${LOG_RETENTION_DAYS.join(', ')}`);
  }
  const orsApiKeyParameter = str(get, 'orsApiKeyParameter') ?? ORS_API_KEY_PARAMETER;
  if (!/^\/?[A-Za-z0-9_.\-/]{1,1011}$/.test(orsApiKeyParameter))
    throw new InvalidContextError('orsApiKeyParameter', 'not a valid SSM parameter name');
  const orsApiKeyKmsKeyArn = str(get, 'orsApiKeyKmsKeyArn');
  if (orsApiKeyKmsKeyArn !== undefined && !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.test(orsApiKeyKmsKeyArn)) {
    throw new InvalidContextError('orsApiKeyKmsKeyArn', 'expected a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)');
  }
  const alarmEmail = str(get, 'alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail))
    throw new InvalidContextError('alarmEmail', 'expected an email address');
  return {
    stage,
    stackName: str(get, 'stackName') ?? `ServerlessPizza-${stage}`,
    retention,
    apiKeyExpiryDays,
    introspection: bool(get, 'introspection') ?? stage !== 'prod',
    orsApiKeyParameter,
    ...(orsApiKeyKmsKeyArn === undefined ? {} : { orsApiKeyKmsKeyArn }),
    logRetentionDays,
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
  };
}
