/**
 * The one interpretation of the manifest (infra/manifest.ts): every reference checked, every
 * default applied, and what each part needs resolved (a function's environment and grants, a
 * resolver's data source, a workflow's substitutions, a stream's consumer), as plain data in
 * logical names. The CDK stack (infra/cdk/stack.ts) and the local stack (local/stack.ts) only
 * map this plan onto their target: constructs and IAM there, emulators and URLs here.
 */
import { Kind, parse } from 'graphql';
import type { ApiAuthSpec, ApiLimitsSpec, Manifest, QueueSpec, StreamFilterSpec, TableSpec, TopicSpec } from './manifest-types.js';

/** @default timeout of a function without `timeoutSeconds`, in seconds (the local invoker's too). */
export const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 10;
/** @default receives before a queue's message goes to its dead-letter queue. */
export const DEFAULT_MAX_RECEIVE_COUNT = 5;
/** @default records per stream batch. */
export const DEFAULT_STREAM_BATCH_SIZE = 10;
/** @default retries of a failing stream batch. */
export const DEFAULT_STREAM_MAX_RETRIES = 3;
/** @default concurrent batches per stream shard (Lambda's own default). */
export const DEFAULT_STREAM_PARALLELIZATION_FACTOR = 1;
/** @default seconds a stream mapping gathers records before invoking (Lambda's own default). */
export const DEFAULT_STREAM_BATCHING_WINDOW_SECONDS = 0;

/** @default auth modes of a manifest without `auth` (small test manifests): the API key alone. */
export const DEFAULT_API_AUTH: ApiAuthSpec = { defaultMode: 'API_KEY', additionalModes: [] };

/** DynamoDB data-plane actions per access level (TransactWriteItems is authorised per item action). */
export const TABLE_ACTIONS = {
  read: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'],
  readWrite: [
    'dynamodb:BatchGetItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:Scan',
    'dynamodb:UpdateItem',
  ],
} as const;

/** What a function may do to the queues under its `queuePrefix`: create them and set their attributes (policy, redrive, SSE). */
export const QUEUE_PREFIX_ACTIONS = ['sqs:CreateQueue', 'sqs:GetQueueAttributes', 'sqs:SetQueueAttributes'] as const;

/** What a `userPool: 'groupAdmin'` binding may call on the pool: staff groups and their members. */
export const USER_POOL_GROUP_ADMIN_ACTIONS = [
  'cognito-idp:AdminAddUserToGroup',
  'cognito-idp:AdminListGroupsForUser',
  'cognito-idp:AdminRemoveUserFromGroup',
  'cognito-idp:CreateGroup',
] as const;

/** What the pool's PostConfirmation trigger may call: add the confirmed user to a group. */
export const POST_CONFIRMATION_ACTIONS = ['cognito-idp:AdminAddUserToGroup'] as const;

/** What a function that resumes a workflow's waiting tasks may call on that workflow. */
export const TASK_RESPONSE_ACTIONS = ['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess'] as const;

export class ManifestReferenceError extends Error {
  override readonly name = 'ManifestReferenceError';
}

/** What an environment variable holds; each target makes it physical (a name, an ARN, a URL). */
export type EnvSource =
  | { readonly kind: 'tableName'; readonly table: string }
  | { readonly kind: 'topicArn'; readonly topic: string }
  | { readonly kind: 'stateMachineArn'; readonly stateMachine: string }
  | { readonly kind: 'graphqlUrl' }
  | { readonly kind: 'ssmParameterName'; readonly parameter: string }
  /** A queue name prefix (logical: each target prepends what it prepends to manifest queue names). */
  | { readonly kind: 'queuePrefix'; readonly prefix: string }
  | { readonly kind: 'userPoolId' }
  | { readonly kind: 'value'; readonly value: string };

/** What a grant covers. */
export type GrantResource =
  /** The table and each of its indexes (by name, never `index/*`). */
  | { readonly kind: 'table'; readonly table: string; readonly indexes: readonly string[] }
  | { readonly kind: 'topic'; readonly topic: string }
  | { readonly kind: 'stateMachine'; readonly stateMachine: string }
  /** A SecureString: reading it also needs decryption through SSM (the target adds that). */
  | { readonly kind: 'ssmParameter'; readonly parameter: string }
  | { readonly kind: 'graphqlFields'; readonly typeName: 'Query' | 'Mutation'; readonly fields: readonly string[] }
  /** Every queue whose name starts with the prefix (logical, as in `EnvSource`). */
  | { readonly kind: 'queuePrefix'; readonly prefix: string }
  | { readonly kind: 'userPool' }
  /**
   * The pool whose trigger the function is. Not named by its ARN: the pool's LambdaConfig names
   * the function, so a grant naming the pool would be a cycle (each target says what it grants).
   */
  | { readonly kind: 'triggeringUserPool' };

export interface Grant {
  readonly actions: readonly string[];
  readonly resource: GrantResource;
}

/** One environment variable and the grant its binding implies (none for a URL or a value). */
export interface EnvVarPlan {
  readonly name: string;
  readonly source: EnvSource;
  readonly grant?: Grant;
}

export interface FunctionPlan {
  readonly name: string;
  /** Module path from the repo root; it exports `handler`. */
  readonly entry: string;
  readonly timeoutSeconds: number;
  /** In manifest order. */
  readonly env: readonly EnvVarPlan[];
  /** Grants beyond the environment's: resuming a workflow's tasks, calling the API with IAM. */
  readonly grants: readonly Grant[];
  /** It reads an SSM parameter (a SecureString). */
  readonly readsSsmParameter: boolean;
  /** The user-pool trigger it is, if any (FunctionSpec.userPoolTrigger). */
  readonly userPoolTrigger?: 'postConfirmation';
}

export type DataSourcePlan =
  | { readonly name: string; readonly type: 'NONE' }
  | { readonly name: string; readonly type: 'AWS_LAMBDA'; readonly function: string }
  | {
      readonly name: string;
      readonly type: 'AMAZON_DYNAMODB';
      readonly table: string;
      readonly access: 'read' | 'readWrite';
      /** The table has global secondary indexes. */
      readonly indexed: boolean;
    };

export interface ResolverPlan {
  readonly typeName: string;
  readonly fieldName: string;
  /** Path from the repo root. */
  readonly file: string;
  readonly dataSource: DataSourcePlan;
}

/** A manifest resource a workflow placeholder stands for. */
export type ResourceRef =
  | { readonly kind: 'function'; readonly name: string }
  | { readonly kind: 'table'; readonly name: string }
  | { readonly kind: 'topic'; readonly name: string };

export interface StateMachinePlan {
  readonly name: string;
  /** Path from the repo root. */
  readonly definitionFile: string;
  /** Placeholder (without `${}`) → the resource whose name/ARN replaces it, in manifest order. */
  readonly substitutions: readonly { readonly placeholder: string; readonly target: ResourceRef }[];
}

export interface StreamPlan {
  readonly table: string;
  readonly function: string;
  /** Which records reach the function; absent = every record. */
  readonly filter?: StreamFilterSpec;
  readonly batchSize: number;
  readonly maxRetries: number;
  readonly parallelizationFactor: number;
  readonly maxBatchingWindowSeconds: number;
  /**
   * The SQS queue that receives the on-failure record (Lambda's invocation record: which shard and
   * sequence numbers were discarded) of a batch whose retries ran out: `<function>-stream-failures`.
   * CDK: the queue's logical id and `DlqUrl…` output; local: its fauxqs queue name.
   */
  readonly failureQueue: string;
}

/** The on-failure queue of a stream consumer (one name on both targets). */
export function streamFailureQueueName(fn: string): string {
  return `${fn}-stream-failures`;
}

export type QueuePlan = QueueSpec & { readonly maxReceiveCount: number };

export interface ManifestPlan {
  readonly schemaFile: string;
  /** The API's auth modes (`DEFAULT_API_AUTH` when the manifest has none). */
  readonly auth: ApiAuthSpec;
  readonly tables: readonly TableSpec[];
  readonly topics: readonly TopicSpec[];
  readonly queues: readonly QueuePlan[];
  readonly functions: readonly FunctionPlan[];
  readonly dataSources: readonly DataSourcePlan[];
  readonly resolvers: readonly ResolverPlan[];
  readonly stateMachines: readonly StateMachinePlan[];
  readonly streams: readonly StreamPlan[];
  readonly ssmParameters: Manifest['ssmParameters'];
  /** The API's limits and browser origins (each origin checked); absent when the manifest has none. */
  readonly api?: ApiLimitsSpec;
}

/** Query/Mutation fields the schema opens to IAM callers (field-level `@aws_iam`). */
export function iamFields(schemaSdl: string): { readonly typeName: 'Query' | 'Mutation'; readonly fieldName: string }[] {
  const out: { typeName: 'Query' | 'Mutation'; fieldName: string }[] = [];
  for (const def of parse(schemaSdl).definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const typeName = def.name.value;
    if (typeName !== 'Query' && typeName !== 'Mutation') continue;
    for (const field of def.fields ?? []) {
      if (field.directives?.some((d) => d.name.value === 'aws_iam')) out.push({ typeName, fieldName: field.name.value });
    }
  }
  return out;
}

/** `auth` checked: no mode twice (the default is not also an additional mode). */
function planAuth(auth: ApiAuthSpec): ApiAuthSpec {
  const modes = [auth.defaultMode, ...auth.additionalModes];
  const twice = modes.find((mode, i) => modes.indexOf(mode) !== i);
  if (twice !== undefined) throw new ManifestReferenceError(`the manifest's auth names mode ${twice} twice`);
  return auth;
}

/** `api` checked: each browser origin as a browser sends it (`scheme://host[:port]`, http or https, no path). */
function planApi(api: ApiLimitsSpec): ApiLimitsSpec {
  for (const origin of api.corsOrigins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || parsed.origin !== origin || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
      throw new RangeError(`api.corsOrigins: "${origin}" is not a browser origin (http(s)://host[:port], no path or trailing slash)`);
  }
  return api;
}

/**
 * Who may call each root field with IAM: `"Mutation.publishOrderUpdate"` → the functions whose
 * `appsync:GraphQL` grants name it, in manifest order. Each target maps a function to its principal
 * (CDK: the function's role; local: the one principal every handler shares).
 */
export function graphqlIamGrants(plan: Pick<ManifestPlan, 'functions'>): Readonly<Record<string, readonly string[]>> {
  const grants: Record<string, string[]> = {};
  for (const fn of plan.functions) {
    for (const grant of fn.grants) {
      if (grant.resource.kind !== 'graphqlFields' || !grant.actions.includes('appsync:GraphQL')) continue;
      for (const field of grant.resource.fields) {
        const key = `${grant.resource.typeName}.${field}`;
        grants[key] = [...(grants[key] ?? []), fn.name];
      }
    }
  }
  return grants;
}

/** `value` when it is an integer AWS accepts for the stream mapping's `setting`; else a RangeError. */
function inRange(value: number, min: number, max: number, setting: string, fn: string): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`stream of ${fn}: ${setting} ${value} is not an integer from ${min} to ${max}`);
  return value;
}

function lookup<T>(map: ReadonlyMap<string, T>, kind: string, name: string): T {
  const found = map.get(name);
  if (found === undefined) throw new ManifestReferenceError(`the manifest names unknown ${kind} "${name}"`);
  return found;
}

/**
 * Interprets `m`; `schemaSdl` is the text of `m.schemaFile` (for the `@aws_iam` fields a
 * `graphqlIam` function may call). Throws ManifestReferenceError on a name that resolves to nothing.
 */
export function planManifest(m: Manifest, schemaSdl: string): ManifestPlan {
  const tables = new Map(m.tables.map((t) => [t.name, t]));
  const topics = new Map(m.topics.map((t) => [t.name, t]));
  const functionNames = new Map(m.functions.map((f) => [f.name, f]));
  const stateMachineNames = new Map(m.stateMachines.map((s) => [s.name, s]));

  const tableGrant = (table: string, access: 'read' | 'readWrite'): Grant => ({
    actions: TABLE_ACTIONS[access],
    resource: { kind: 'table', table, indexes: (lookup(tables, 'table', table).globalSecondaryIndexes ?? []).map((gsi) => gsi.name) },
  });
  const stateMachine = (name: string) => lookup(stateMachineNames, 'state machine', name).name;

  const iam = iamFields(schemaSdl);
  const functions = m.functions.map((spec): FunctionPlan => {
    const env = Object.entries(spec.env).map(([name, binding]): EnvVarPlan => {
      if ('table' in binding)
        return { name, source: { kind: 'tableName', table: binding.table }, grant: tableGrant(binding.table, binding.access) };
      if ('topic' in binding) {
        const topic = lookup(topics, 'topic', binding.topic).name;
        const action = binding.access === 'subscribe' ? 'sns:Subscribe' : 'sns:Publish';
        return { name, source: { kind: 'topicArn', topic }, grant: { actions: [action], resource: { kind: 'topic', topic } } };
      }
      if ('queuePrefix' in binding) {
        const prefix = binding.queuePrefix;
        if (!/^[A-Za-z0-9_-]+$/.test(prefix))
          throw new ManifestReferenceError(`${spec.name}: queue prefix "${prefix}" is not part of an SQS name`);
        return {
          name,
          source: { kind: 'queuePrefix', prefix },
          grant: { actions: QUEUE_PREFIX_ACTIONS, resource: { kind: 'queuePrefix', prefix } },
        };
      }
      if ('userPool' in binding) {
        return { name, source: { kind: 'userPoolId' }, grant: { actions: USER_POOL_GROUP_ADMIN_ACTIONS, resource: { kind: 'userPool' } } };
      }
      if ('stateMachine' in binding) {
        const sm = stateMachine(binding.stateMachine);
        return {
          name,
          source: { kind: 'stateMachineArn', stateMachine: sm },
          grant: { actions: ['states:StartExecution'], resource: { kind: 'stateMachine', stateMachine: sm } },
        };
      }
      // The URL alone grants nothing: calling the API needs `graphqlIam`.
      if ('graphqlUrl' in binding) return { name, source: { kind: 'graphqlUrl' } };
      if ('ssmParameter' in binding) {
        const parameter = binding.ssmParameter;
        return {
          name,
          source: { kind: 'ssmParameterName', parameter },
          grant: { actions: ['ssm:GetParameter'], resource: { kind: 'ssmParameter', parameter } },
        };
      }
      if ('value' in binding) return { name, source: { kind: 'value', value: binding.value } };
      throw new ManifestReferenceError(`${spec.name}: env var ${name} has an unknown binding ${JSON.stringify(binding)}`);
    });
    const grants: Grant[] = [];
    if (spec.taskResponse !== undefined) {
      grants.push({ actions: TASK_RESPONSE_ACTIONS, resource: { kind: 'stateMachine', stateMachine: stateMachine(spec.taskResponse) } });
    }
    if (spec.userPoolTrigger === 'postConfirmation') {
      grants.push({ actions: POST_CONFIRMATION_ACTIONS, resource: { kind: 'triggeringUserPool' } });
    }
    if (spec.graphqlIam === true) {
      for (const typeName of ['Query', 'Mutation'] as const) {
        const fields = iam.filter((f) => f.typeName === typeName).map((f) => f.fieldName);
        if (fields.length > 0) grants.push({ actions: ['appsync:GraphQL'], resource: { kind: 'graphqlFields', typeName, fields } });
      }
    }
    return {
      name: spec.name,
      entry: spec.entry,
      timeoutSeconds: spec.timeoutSeconds ?? DEFAULT_FUNCTION_TIMEOUT_SECONDS,
      env,
      grants,
      readsSsmParameter: env.some((e) => e.source.kind === 'ssmParameterName'),
      ...(spec.userPoolTrigger === undefined ? {} : { userPoolTrigger: spec.userPoolTrigger }),
    };
  });

  const dataSources = m.dataSources.map((ds): DataSourcePlan => {
    if (ds.type === 'NONE') return { name: ds.name, type: 'NONE' };
    if (ds.type === 'AWS_LAMBDA')
      return { name: ds.name, type: 'AWS_LAMBDA', function: lookup(functionNames, 'function', ds.function).name };
    const table = lookup(tables, 'table', ds.table);
    return {
      name: ds.name,
      type: 'AMAZON_DYNAMODB',
      table: table.name,
      access: ds.access ?? 'read',
      indexed: (table.globalSecondaryIndexes ?? []).length > 0,
    };
  });
  const dataSourceNames = new Map(dataSources.map((ds) => [ds.name, ds]));

  return {
    schemaFile: m.schemaFile,
    auth: planAuth(m.auth ?? DEFAULT_API_AUTH),
    tables: m.tables,
    topics: m.topics,
    queues: m.queues.map((q) => ({
      ...q,
      topic: lookup(topics, 'topic', q.topic).name,
      maxReceiveCount: q.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT,
    })),
    functions,
    dataSources,
    resolvers: m.resolvers.map((r) => ({
      typeName: r.typeName,
      fieldName: r.fieldName,
      file: r.file,
      dataSource: lookup(dataSourceNames, 'data source', r.dataSource),
    })),
    stateMachines: m.stateMachines.map((sm) => ({
      name: sm.name,
      definitionFile: sm.definitionFile,
      substitutions: Object.entries(sm.substitutions).map(([placeholder, target]) => ({
        placeholder,
        target:
          'function' in target
            ? { kind: 'function', name: lookup(functionNames, 'function', target.function).name }
            : 'table' in target
              ? { kind: 'table', name: lookup(tables, 'table', target.table).name }
              : { kind: 'topic', name: lookup(topics, 'topic', target.topic).name },
      })),
    })),
    streams: m.streams.map((s) => {
      if (lookup(tables, 'table', s.table).stream === undefined)
        throw new ManifestReferenceError(`table ${s.table} has no stream for ${s.function}`);
      if (s.filter !== undefined && s.filter.eventName.length === 0)
        throw new ManifestReferenceError(`the stream filter of ${s.function} names no eventName: nothing would reach it`);
      return {
        table: s.table,
        function: lookup(functionNames, 'function', s.function).name,
        ...(s.filter === undefined ? {} : { filter: { eventName: [...new Set(s.filter.eventName)] } }),
        batchSize: s.batchSize ?? DEFAULT_STREAM_BATCH_SIZE,
        maxRetries: inRange(s.maxRetries ?? DEFAULT_STREAM_MAX_RETRIES, 0, 10_000, 'maxRetries', s.function),
        parallelizationFactor: inRange(
          s.parallelizationFactor ?? DEFAULT_STREAM_PARALLELIZATION_FACTOR,
          1,
          10,
          'parallelizationFactor',
          s.function,
        ),
        maxBatchingWindowSeconds: inRange(
          s.maxBatchingWindowSeconds ?? DEFAULT_STREAM_BATCHING_WINDOW_SECONDS,
          0,
          300,
          'maxBatchingWindowSeconds',
          s.function,
        ),
        failureQueue: streamFailureQueueName(s.function),
      };
    }),
    ssmParameters: m.ssmParameters,
    ...(m.api === undefined ? {} : { api: planApi(m.api) }),
  };
}
