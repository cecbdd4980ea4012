/**
 * The shape of the one manifest (`infra/manifest.ts`) from which both the CDK stack and the
 * local stack are built. Names here are logical names; each target maps them to physical
 * names/ARNs (CDK: generated resources; local: emulator URLs/ARNs).
 */

/** A DynamoDB table. Attribute types follow DynamoDB's key schema types. */
export interface TableSpec {
  readonly name: string;
  readonly partitionKey: { readonly name: string; readonly type: 'S' | 'N' };
  readonly sortKey?: { readonly name: string; readonly type: 'S' | 'N' };
  /** When set, the table has a stream with this view type. */
  readonly stream?: 'NEW_AND_OLD_IMAGES' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'KEYS_ONLY';
  readonly globalSecondaryIndexes?: readonly {
    readonly name: string;
    readonly partitionKey: { readonly name: string; readonly type: 'S' | 'N' };
    readonly sortKey?: { readonly name: string; readonly type: 'S' | 'N' };
  }[];
  /** Number attribute (epoch seconds) after which DynamoDB deletes the item (TTL); absent = no TTL. */
  readonly ttlAttribute?: string;
}

export interface TopicSpec {
  readonly name: string;
}

/** An SQS queue subscribed to a topic (raw delivery), with a dead-letter queue. */
export interface QueueSpec {
  readonly name: string;
  readonly topic: string;
  /** SNS filter policy on message attributes; absent = every message. */
  readonly filterPolicy?: Readonly<Record<string, readonly (string | number)[]>>;
  /** Receives after this many failed receives go to `<name>-dlq`. @default 5 */
  readonly maxReceiveCount?: number;
}

/**
 * What a function's environment variable points at. Each target resolves it to a value
 * (a table name, an ARN, a URL); the CDK stack also derives the IAM grant from it.
 */
export type EnvBinding =
  | { readonly table: string; readonly access: 'read' | 'readWrite' }
  /** The topic's ARN; `publish` (the default) may publish to it, `subscribe` may subscribe queues to it. */
  | { readonly topic: string; readonly access?: 'publish' | 'subscribe' }
  /**
   * The physical name prefix of queues the function creates at run time (a store's alert queue
   * `<prefix><storeId>` and the stores' dead-letter queue `<prefix>dlq`): AWS `<stack>-<queuePrefix>`, locally `<queuePrefix>`, as
   * manifest queues are named. Grants creating and configuring queues under that prefix only.
   */
  | { readonly queuePrefix: string }
  /** The user pool's id; grants creating groups and managing users' group membership (staff assignment). */
  | { readonly userPool: 'groupAdmin' }
  | { readonly stateMachine: string; readonly access: 'start' }
  | { readonly graphqlUrl: true }
  | { readonly ssmParameter: string }
  | { readonly value: string };

export interface FunctionSpec {
  readonly name: string;
  /** Module path from the repo root, e.g. `functions/place-order.ts`; it exports `handler`. */
  readonly entry: string;
  readonly env: Readonly<Record<string, EnvBinding>>;
  /** @default 10 (seconds) */
  readonly timeoutSeconds?: number;
  /** The state machine whose waiting tasks this function resumes (SendTaskSuccess/Failure). */
  readonly taskResponse?: string;
  /** Grants this function permission to call the GraphQL API with IAM auth. */
  readonly graphqlIam?: boolean;
  /**
   * The user pool invokes this function as its trigger (CDK: the pool's LambdaConfig; locally the
   * emulator calls it). `postConfirmation`: after a self sign-up is confirmed; may add users to
   * the pool's groups (cognito-idp:AdminAddUserToGroup). The pool id comes in the event.
   */
  readonly userPoolTrigger?: 'postConfirmation';
}

export type DataSourceSpec =
  | { readonly name: string; readonly type: 'NONE' }
  | { readonly name: string; readonly type: 'AWS_LAMBDA'; readonly function: string }
  | {
      readonly name: string;
      readonly type: 'AMAZON_DYNAMODB';
      readonly table: string;
      /** What the data source's resolvers may do to the table (the CDK stack's grant). @default 'read' */
      readonly access?: 'read' | 'readWrite';
    };

/** A unit resolver: `resolvers/<file>` (APPSYNC_JS) on `typeName.fieldName`, using `dataSource`. */
export interface ResolverSpec {
  readonly typeName: 'Query' | 'Mutation' | 'Subscription' | (string & {});
  readonly fieldName: string;
  readonly dataSource: string;
  /** Path from the repo root, e.g. `resolvers/Query.getOrder.ts`. */
  readonly file: string;
}

export interface StateMachineSpec {
  readonly name: string;
  /** ASL JSON file with `${Placeholders}`, path from the repo root. */
  readonly definitionFile: string;
  /** Placeholder name → the resource whose ARN/name replaces it. */
  readonly substitutions: Readonly<Record<string, { readonly function: string } | { readonly table: string } | { readonly topic: string }>>;
}

/** The kinds of change a DynamoDB stream record carries (its `eventName`). */
export type StreamEventName = 'INSERT' | 'MODIFY' | 'REMOVE';

/**
 * Which records reach the function (Lambda event filtering: one filter pattern on the record's
 * `eventName`). Records that match no pattern are dropped before the invocation and still
 * checkpointed, as Lambda does.
 */
export interface StreamFilterSpec {
  /** The record's `eventName` is one of these. */
  readonly eventName: readonly StreamEventName[];
}

/** A table stream delivered to a function like Lambda's event source mapping. */
export interface StreamMappingSpec {
  readonly table: string;
  readonly function: string;
  /** Absent = every record. */
  readonly filter?: StreamFilterSpec;
  /** @default 10 */
  readonly batchSize?: number;
  /** Retries of a failing batch before its records go to the on-failure queue (AWS: 0–10000). @default 3 */
  readonly maxRetries?: number;
  /**
   * Batches of one shard handled at once (AWS: 1–10). Lambda keeps the records of one partition
   * key in order across them: a key is never in two in-flight batches. @default 1
   */
  readonly parallelizationFactor?: number;
  /** How long to gather records before invoking (AWS: 0–300), in seconds. @default 0 */
  readonly maxBatchingWindowSeconds?: number;
}

/**
 * The API's abuse limits, one setting for both targets. AWS: `queryDepthLimit` and
 * `resolverCountLimit` are AppSync's own API settings and `rateLimitPerFiveMinutes` is a WAF
 * rate-based rule per client IP on the API. Local: the server refuses depth, resolver count and
 * orders per request before anything runs (infra/README.md and the README's "Limits").
 */
export interface ApiLimitsSpec {
  /** Nested field levels a request may select, the root field being level 1 (AppSync: 1–75). */
  readonly queryDepthLimit: number;
  /**
   * Fields with a resolver one request may run (AppSync: 1–10000). At most
   * `maxOrdersPerRequest`: on AWS this limit is what bounds the orders of one request.
   */
  readonly resolverCountLimit: number;
  /** `placeOrder` fields one request may contain (local check; AWS: via `resolverCountLimit`). */
  readonly maxOrdersPerRequest: number;
  /** Requests per client IP in any 5-minute window before WAF blocks it (AWS WAF: ≥ 10). */
  readonly rateLimitPerFiveMinutes: number;
  /**
   * Browser origins (`scheme://host[:port]`) allowed to call the local API and open its realtime
   * socket, besides the stack's own web demo and explorer. Local only: AppSync has no CORS
   * setting and answers any origin (its authorization protects it), while the local API key is
   * well known. `npm start -- --cors-origin <origin>` adds one for a run.
   */
  readonly corsOrigins: readonly string[];
}

/** AppSync's authorization modes, as its API names them. */
export type ApiAuthMode = 'AMAZON_COGNITO_USER_POOLS' | 'AWS_IAM' | 'API_KEY';

/**
 * How callers authenticate to the API, on both targets: the default mode (fields without an auth
 * directive) and the additional ones the schema's directives may name.
 */
export interface ApiAuthSpec {
  readonly defaultMode: ApiAuthMode;
  readonly additionalModes: readonly ApiAuthMode[];
}

export interface Manifest {
  readonly schemaFile: string;
  /** @default { defaultMode: 'API_KEY', additionalModes: [] } (small test manifests) */
  readonly auth?: ApiAuthSpec;
  readonly tables: readonly TableSpec[];
  readonly topics: readonly TopicSpec[];
  readonly queues: readonly QueueSpec[];
  readonly functions: readonly FunctionSpec[];
  readonly dataSources: readonly DataSourceSpec[];
  readonly resolvers: readonly ResolverSpec[];
  readonly stateMachines: readonly StateMachineSpec[];
  readonly streams: readonly StreamMappingSpec[];
  readonly ssmParameters: readonly { readonly name: string; readonly description: string }[];
  /** Absent = no limits on either target (small test manifests). */
  readonly api?: ApiLimitsSpec;
}
