/**
 * The local stack: every part of the system on loopback, the manifest's plan (infra/manifest-plan.ts,
 * the interpretation the CDK stack uses too) mapped onto the emulators. Started by `npm start`
 * (local/cli.ts) and by the integration tests (in memory, on free ports).
 *
 * The Lambda handlers run in this process and reach the emulators only through the SDK's
 * endpoint variables (AWS_ENDPOINT_URL_*), which this module sets. Because handlers share
 * `process.env` and cache their SDK clients, there is one local stack per process.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { quiet } from '../functions/lib/clients.js';
import { seedStores, storeDeadLetterQueueName, StoreOnboarding, StoreRepository, storeQueueName } from '../functions/lib/stores.js';
import { userPoolAdmin } from '../functions/lib/user-pool.js';
import { manifest as defaultManifest, STORE_QUEUE_PREFIX } from '../infra/manifest.js';
import { planManifest, type EnvSource } from '../infra/manifest-plan.js';
import { ROLE_GROUPS, storeGroup } from '../domain/party.js';
import type { Manifest } from '../infra/manifest-types.js';
import { SEED_STORES } from '../infra/seed-stores.js';
import { createFieldResolver, loadResolver, type DataSourceRuntime } from './appsync/runtime/index.js';
import { LOCAL_IAM_PRINCIPAL, localCorsPolicy, startAppSyncServer, type CorsPolicy, type IamPrincipal } from './appsync/server/index.js';
import type { FieldResolver } from './appsync/types.js';
import { checkpointFile } from './dynamodb/checkpoints.js';
import { startDynamoDbLocal } from './dynamodb/dynamodb-local.js';
import { filteredStreamHandler } from './dynamodb/stream-filter.js';
import { startStreamPoller } from './dynamodb/stream-poller.js';
import { ensureTables } from './dynamodb/tables.js';
import { CognitoError, ErrorCode, startCognitoUserPool, type AuthFlow } from './cognito/index.js';
import { createLambdaInvoker } from './lambda/invoker.js';
import { startMessaging } from './messaging/messaging.js';
import { startStepFunctionsEndpoint, type TokenBucketRate } from './sfn/index.js';
import { startSsmEndpoint } from './ssm/ssm-endpoint.js';
import { LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS, LOCAL_REGION } from './util/aws.js';
import { jsonFileRoutes } from './client-files.js';
import { localApiAuth } from './stack-auth.js';
import { startLocalMetrics } from './metrics/index.js';
import { openLocalTls } from './tls/local-tls.js';
import { acquireLock } from './util/lock.js';
import { assertPortFree } from './util/ports.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export { LOCAL_ACCOUNT_ID, LOCAL_REGION };
/** The local API key; printed at start and written into amplify-config.json. */
export const LOCAL_API_KEY = 'da2-localserverlesspizza0000';

/** An override names no `{ value }` setting of the manifest (a typo would otherwise do nothing). */
export class UnknownSettingError extends Error {
  override readonly name = 'UnknownSettingError';
  constructor(unknown: readonly string[], known: readonly string[]) {
    super(`unknown setting ${unknown.join(', ')}; the manifest's settings are: ${known.join(', ')}`);
  }
}

export interface LocalStackOptions {
  readonly host?: string;
  /** AppSync server port (GraphQL, realtime, explorer, web demo). 0 = a free port. @default 4000 */
  readonly port?: number;
  /** Throwaway stack: DynamoDB and SSM in memory. @default false */
  readonly inMemory?: boolean;
  /** Where persistent data lives. @default <repo>/.local/data */
  readonly dataDir?: string;
  /** Overrides of `{ value }` env bindings, e.g. short workflow timeouts in tests. */
  readonly envOverrides?: Readonly<Record<string, string>>;
  readonly manifest?: Manifest;
  /** Progress lines ("DynamoDB Local ready on …"). */
  readonly onProgress?: (line: string) => void;
  /** Diagnostic lines from the emulators and handlers. */
  readonly logger?: (line: string) => void;
  /**
   * Port of the local Cognito user pool (Amplify's `userPoolEndpoint`). Tokens name it in their
   * issuer, so a persistent stack keeps it across restarts. @default port + 1, or 0 when port is 0
   */
  readonly userPoolPort?: number;
  /** Extra HTTP routes on the AppSync server's port (the web demo). */
  readonly extraRoutes?: Parameters<typeof startAppSyncServer>[0]['extraRoutes'];
  /**
   * IAM principals the API knows besides the handlers' (their signatures verify) but that no
   * manifest grant names: tests use one to check that a valid signature alone grants nothing.
   * @default []
   */
  readonly extraIamPrincipals?: readonly IamPrincipal[];
  /**
   * Throttle Step Functions' StartExecution with AWS's token bucket at this rate (AWS: bucket 1,300
   * refilled at 300/s, `AWS_START_EXECUTION_RATE`); tests set a tiny one to make a burst throttle.
   * @default undefined (never throttled)
   */
  readonly stepFunctionsStartRate?: TokenBucketRate;
  /**
   * Serve the AppSync API over HTTPS/WSS too, on `port` (@default port + 2, or 0 when port is 0),
   * and the user pool over HTTPS on `userPoolPort` (@default port + 3, or 0 when port is 0), with
   * a certificate for loopback, `host` and `hosts` from the local CA (local/tls), kept in
   * `<dataDir>/tls` (in memory: a temp folder). @default off
   */
  readonly tls?: { readonly port?: number; readonly userPoolPort?: number; readonly hosts?: readonly string[] };
  /** Browser origins allowed besides the manifest's `api.corsOrigins` (`npm start -- --cors-origin`). @default [] */
  readonly corsOrigins?: readonly string[];
  /** GraphQL introspection; false answers as a deployed stage `prod` does (`npm start -- --no-introspection`). @default true */
  readonly introspection?: boolean;
  /**
   * Called with each sign-up confirmation code the user pool would email (none is sent locally):
   * `npm start` prints them, tests type them in. The pool logs them through `logger` too.
   */
  readonly onConfirmationCode?: (username: string, code: string) => void;
}

/** The auth flows of the CDK app client (infra/cdk/identity.ts, `authFlows: { userSrp: true }`): SRP and refresh. */
export const APP_CLIENT_AUTH_FLOWS: readonly AuthFlow[] = ['USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH'];

export interface AmplifyConfig {
  readonly API: {
    readonly GraphQL: {
      readonly endpoint: string;
      readonly customEndpoint: string;
      readonly customEndpointRegion: string;
      readonly region: string;
      /** Every party signs in; the API key is kept for the public store list (`authMode: 'apiKey'`). */
      readonly defaultAuthMode: 'userPool';
      readonly apiKey: string;
    };
  };
  readonly Auth: {
    readonly Cognito: {
      readonly userPoolId: string;
      readonly userPoolClientId: string;
      /** Absent on AWS; locally the emulator's URL. */
      readonly userPoolEndpoint?: string;
      readonly loginWith: { readonly email: true };
      readonly signUpVerificationMethod: 'code';
    };
  };
}

/** The role groups and store groups come from the policy (domain/party.ts); re-exported for callers of this module. */
export { ROLE_GROUPS, storeGroup };
/**
 * A seeded account of demo-users.json: `{ username, password, role, storeId? }`, role customer,
 * store or driver (issue 7's contract), `storeId` for staff only. Operators are kept apart, in
 * demo-operators.json.
 */
export type DemoUser =
  | { readonly username: string; readonly password: string; readonly role: 'customer' | 'driver' }
  | { readonly username: string; readonly password: string; readonly role: 'store'; readonly storeId: string };

/** A seeded operator account, written to demo-operators.json (same shape, role `operator`). */
export interface DemoOperator {
  readonly username: string;
  readonly password: string;
  readonly role: 'operator';
}

/** Any seeded account: what `npm start` prints. */
export type DemoAccount = DemoUser | DemoOperator;

/** One fixed password for every demo account (Cognito's default policy: upper, lower, digit, symbol, ≥ 8). */
export const DEMO_PASSWORD = 'Pizza-Demo-1';

/** Two customers, one staff account per seeded store and two drivers: demo-users.json. */
export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'customer1@pizza.example', password: DEMO_PASSWORD, role: 'customer' },
  { username: 'customer2@pizza.example', password: DEMO_PASSWORD, role: 'customer' },
  ...SEED_STORES.map((s, i): DemoUser => ({
    username: `store${i + 1}@pizza.example`,
    password: DEMO_PASSWORD,
    role: 'store',
    storeId: s.storeId,
  })),
  { username: 'driver1@pizza.example', password: DEMO_PASSWORD, role: 'driver' },
  { username: 'driver2@pizza.example', password: DEMO_PASSWORD, role: 'driver' },
];

/**
 * The operator, who runs the stores: not a party demo-users.json names (its contract is the
 * customer, store and driver roles), so it has a file of its own, demo-operators.json.
 */
export const DEMO_OPERATORS: readonly DemoOperator[] = [{ username: 'operator@pizza.example', password: DEMO_PASSWORD, role: 'operator' }];

/** The local user pool, as clients and token verifiers are configured with it. */
export interface LocalUserPool {
  readonly endpoint: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly issuer: string;
}

export interface LocalStack {
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly explorerUrl: string;
  /** The HTTPS/WSS listeners (`tls` option: the API's and the user pool's) and the CA file a device must trust for them. */
  readonly tls?: { readonly graphqlUrl: string; readonly realtimeUrl: string; readonly userPoolEndpoint: string; readonly caFile: string };
  readonly apiKey: string;
  readonly region: string;
  readonly amplifyConfig: AmplifyConfig;
  readonly userPool: LocalUserPool;
  /** The seeded customers, staff and drivers (present whether created now or by an earlier run): demo-users.json. */
  readonly demoUsers: readonly DemoUser[];
  /** The seeded operators: demo-operators.json. */
  readonly demoOperators: readonly DemoOperator[];
  readonly endpoints: { readonly dynamodb: string; readonly sfn: string; readonly sns: string; readonly sqs: string; readonly ssm: string };
  tableName(logical: string): string;
  /**
   * A manifest queue, a stream's failure queue (the plan's `failureQueue`), or a store's alert
   * queue (`store-<storeId>`, created when the store was onboarded).
   */
  queueUrl(logical: string): string;
  /** The queue's dead-letter queue; for every store's queue the stores' one, `store-dlq`. */
  dlqUrl(logical: string): string;
  stateMachineArn(logical: string): string;
  /** Resolves when every change already in the orders stream has been published (tests). */
  drainStreams(): Promise<void>;
  stop(): Promise<void>;
}

export class LocalStackAlreadyRunningError extends Error {
  override readonly name = 'LocalStackAlreadyRunningError';
  constructor() {
    super('a local stack is already running in this process (handlers share process.env); stop it first');
  }
}

let running = false;

/** Physical names of the local resources: the logical name with a project prefix. */
export function physicalName(logical: string): string {
  return `serverless-pizza-${logical}`;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  if (running) throw new LocalStackAlreadyRunningError();
  running = true;
  const manifest = options.manifest ?? defaultManifest;
  /** Only the AppSync server (API, realtime, explorer, demo) binds `host`; the backend stays on loopback. */
  const host = options.host ?? '127.0.0.1';
  const internal = '127.0.0.1';
  const progress = options.onProgress ?? (() => undefined);
  const log = options.logger ?? (() => undefined);
  const dataDir = options.dataDir ?? join(REPO_ROOT, '.local', 'data');
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        log(`stop failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    running = false;
  };

  try {
    // Handlers and emulator clients never see real credentials or real endpoints.
    Object.assign(process.env, {
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: '',
      // Powertools (functions/lib/logger.ts, order-metrics.ts) writes through the global console,
      // which the log sink and the tests' capture take; its metrics stay on (dev mode turns them off).
      POWERTOOLS_DEV: 'true',
      POWERTOOLS_METRICS_DISABLED: 'false',
    });
    delete process.env.AWS_PROFILE;
    if (!options.inMemory) {
      await mkdir(dataDir, { recursive: true });
      // Two stacks never share a data folder; a lock left by a killed stack is taken over.
      const lock = await acquireLock(dataDir, 'stack.lock', progress);
      stops.push(() => lock.release());
    }
    const schemaSdl = await readFile(join(REPO_ROOT, manifest.schemaFile), 'utf8');
    const m = planManifest(manifest, schemaSdl);
    const settings = new Set(m.functions.flatMap((fn) => fn.env.filter((e) => e.source.kind === 'value').map((e) => e.name)));
    const unknown = Object.keys(options.envOverrides ?? {}).filter((name) => !settings.has(name));
    if (unknown.length > 0) throw new UnknownSettingError(unknown, [...settings].sort());

    // A taken port fails in milliseconds with a clear message, before anything starts. Port 0
    // is bound as 0 (no pick-then-bind race): its URL is known once the server listens, and
    // handlers read it lazily, at their first invocation, which can only come after that.
    const appsyncPort = options.port ?? 4000;
    if (appsyncPort !== 0) await assertPortFree(host, appsyncPort);
    const api: { graphqlUrl?: string; amplifyConfig?: AmplifyConfig } = {};

    // With `tls`, one certificate (local/tls) for the two client-facing servers: user pool and API.
    const tls =
      options.tls === undefined
        ? undefined
        : await openLocalTls(options.inMemory ? undefined : join(dataDir, 'tls'), [host, ...(options.tls.hosts ?? [])]);
    if (tls !== undefined) stops.push(() => tls.dispose());
    const defaultPort = (offset: number) => (appsyncPort === 0 ? 0 : appsyncPort + offset);

    // --- identity: the local Cognito user pool and its demo accounts --------------------------
    // Client-facing (Amplify Auth in the browser talks to it), so it binds `host` like the API.
    // As strict as the CDK pool and app client: a sign-up is confirmed with the emailed code
    // (printed by `npm start`: no mail is sent locally), then the manifest's PostConfirmation
    // trigger (functions/post-confirmation.ts, run by the Lambda invoker below) adds the customer
    // to `customers`; the app client allows SRP and refresh only; admin calls must be SigV4-signed
    // by the local credentials (as the handlers' SDK clients sign them); browsers may call it only
    // from the web demo's origins. Store groups are created when a store is onboarded (the seeded
    // ones below), as on AWS.
    const postConfirmation = m.functions.find((fn) => fn.userPoolTrigger === 'postConfirmation');
    const lambdas: { invoke?: (name: string, event: unknown) => Promise<unknown> } = {};
    const webDemo: { cors?: CorsPolicy } = {};
    const cognito = await startCognitoUserPool({
      host,
      port: options.userPoolPort ?? defaultPort(1),
      region: LOCAL_REGION,
      autoConfirm: false,
      groups: Object.values(ROLE_GROUPS),
      authFlows: APP_CLIENT_AUTH_FLOWS,
      iamPrincipals: [LOCAL_IAM_PRINCIPAL],
      // No origin until the API (which serves the web demo) listens; a request without Origin is no page.
      cors: { allows: (req) => webDemo.cors?.allows(req) ?? false },
      ...(postConfirmation === undefined
        ? {}
        : {
            triggers: {
              postConfirmation: async (event) => {
                if (lambdas.invoke === undefined) throw new Error('the PostConfirmation trigger ran before the functions were ready');
                return lambdas.invoke(postConfirmation.name, event);
              },
            },
          }),
      ...(options.onConfirmationCode === undefined ? {} : { onConfirmationCode: options.onConfirmationCode }),
      dataDir: options.inMemory ? undefined : join(dataDir, 'cognito'),
      logger: log,
      ...(tls === undefined ? {} : { tls: { cert: tls.certPem, key: tls.keyPem, port: options.tls?.userPoolPort ?? defaultPort(3) } }),
    });
    stops.push(() => cognito.dispose());
    const userPool: LocalUserPool = {
      endpoint: cognito.endpoint,
      userPoolId: cognito.userPoolId,
      clientId: cognito.clientId,
      issuer: cognito.issuer,
    };
    progress(`Cognito user pool ready on ${cognito.endpoint}${cognito.tlsEndpoint === undefined ? '' : ` and ${cognito.tlsEndpoint}`}`);

    const dynamo = await startDynamoDbLocal({
      host: internal,
      port: 0,
      dataDir: options.inMemory ? undefined : join(dataDir, 'dynamodb'),
      logger: log,
    });
    stops.push(() => dynamo.stop());
    progress(`DynamoDB Local ready on ${dynamo.endpoint}`);
    const credentials = LOCAL_CREDENTIALS;
    const dynamodb = quiet(new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials }));
    stops.push(async () => dynamodb.destroy());
    const tables = await ensureTables(dynamodb, m.tables, physicalName);

    const messaging = await startMessaging({
      host: internal,
      port: 0,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      topics: m.topics,
      queues: m.queues,
      dataDir: options.inMemory ? undefined : join(dataDir, 'messaging'),
      logger: log,
    });
    stops.push(() => messaging.stop());
    progress(`SNS/SQS (fauxqs) ready on ${messaging.endpoint}`);

    const ssm = await startSsmEndpoint({
      host: internal,
      port: 0,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      persistFile: options.inMemory ? undefined : join(dataDir, 'ssm.json'),
      logger: log,
    });
    stops.push(() => ssm.stop());
    progress(`SSM Parameter Store ready on ${ssm.url}`);

    const stateMachineArn = (name: string) => `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:${name}`;
    const tableName = (logical: string) => {
      const t = tables.get(logical);
      if (t === undefined) throw new Error(`unknown table ${logical}`);
      return t.tableName;
    };
    const invoker = createLambdaInvoker({
      functions: manifest.functions,
      rootDir: REPO_ROOT,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      logger: log,
    });
    lambdas.invoke = (name, event) => invoker.invoke(name, event);
    stops.push(() => invoker.close());

    const envValue = (name: string, source: EnvSource): string => {
      switch (source.kind) {
        case 'tableName':
          return tableName(source.table);
        case 'topicArn':
          return messaging.topicArn(source.topic);
        case 'stateMachineArn':
          return stateMachineArn(source.stateMachine);
        case 'graphqlUrl':
          if (api.graphqlUrl === undefined) throw new Error('the GraphQL URL is resolved before the server listens');
          return api.graphqlUrl;
        case 'ssmParameterName':
          return source.parameter;
        case 'queuePrefix':
          // Local queues carry their logical names (fauxqs is this stack's alone).
          return source.prefix;
        case 'userPoolId':
          return cognito.userPoolId;
        case 'value':
          return options.envOverrides?.[name] ?? source.value;
      }
    };
    const sns = quiet(new SNSClient({ endpoint: messaging.endpoint, region: LOCAL_REGION, credentials }));
    stops.push(async () => sns.destroy());
    const sfn = await startStepFunctionsEndpoint({
      host: internal,
      port: 0,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      stateMachines: await Promise.all(
        m.stateMachines.map(async (sm) => {
          let definition = await readFile(join(REPO_ROOT, sm.definitionFile), 'utf8');
          for (const { placeholder, target } of sm.substitutions) {
            const value =
              target.kind === 'function'
                ? invoker.arn(target.name)
                : target.kind === 'table'
                  ? tableName(target.name)
                  : messaging.topicArn(target.name);
            definition = definition.replaceAll(`\${${placeholder}}`, value);
          }
          return { name: sm.name, definition };
        }),
      ),
      invokeLambda: (arn, payload) => invoker.invoke(arn, payload),
      dynamodb,
      sns,
      logger: log,
      persistDir: options.inMemory ? undefined : join(dataDir, 'stepfunctions'),
      startExecutionRate: options.stepFunctionsStartRate,
    });
    stops.push(() => sfn.stop());
    progress(`Step Functions ready on ${sfn.url}`);

    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SNS: messaging.endpoint,
      AWS_ENDPOINT_URL_SQS: messaging.endpoint,
      AWS_ENDPOINT_URL_SSM: ssm.url,
      AWS_ENDPOINT_URL_SFN: sfn.url,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.endpoint,
    });

    const resolvers = new Map<string, FieldResolver>();
    for (const spec of m.resolvers) {
      const ds = spec.dataSource;
      const runtime: DataSourceRuntime =
        ds.type === 'NONE'
          ? { type: 'NONE' }
          : ds.type === 'AWS_LAMBDA'
            ? { type: 'AWS_LAMBDA', invoke: (payload) => invoker.invoke(ds.function, payload) }
            : { type: 'AMAZON_DYNAMODB', tableName: tableName(ds.table), client: dynamodb };
      const loaded = await loadResolver(join(REPO_ROOT, spec.file));
      resolvers.set(`${spec.typeName}.${spec.fieldName}`, createFieldResolver(loaded, runtime, { logger: log }));
    }
    progress(`${resolvers.size} APPSYNC_JS resolvers loaded and checked`);

    // The Lambdas' EMF lines, summarised for operators at GET /local/metrics (local/metrics), who
    // send the API's user-pool tokens: it reads console.log from here on, before any handler can
    // run, until the stack stops.
    const metrics = startLocalMetrics({ userPool: { issuer: userPool.issuer, clientIds: [userPool.clientId] }, logger: log });
    stops.push(async () => metrics.stop());
    const clientFiles = jsonFileRoutes({
      '/amplify-config.json': () => api.amplifyConfig,
      '/demo-users.json': () => DEMO_USERS,
      '/demo-operators.json': () => DEMO_OPERATORS,
    });
    const appsync = await startAppSyncServer({
      schemaSdl,
      resolvers,
      apiKeys: [LOCAL_API_KEY],
      // The manifest's auth modes; SigV4 signatures are verified against the backend's credentials
      // (and any extra test principal), and @aws_iam root fields take only the principals granted them.
      ...localApiAuth(m, options.extraIamPrincipals),
      // User-pool tokens are verified as AppSync does: signature (JWKS), expiry, issuer, client.
      userPool: { issuer: userPool.issuer, clientIds: [userPool.clientId] },
      region: LOCAL_REGION,
      host,
      port: appsyncPort,
      logger: log,
      // The manifest's abuse limits, as the deployed API has them (placeOrder: the orders-per-request cap).
      ...(manifest.api === undefined
        ? {}
        : {
            limits: {
              queryDepthLimit: manifest.api.queryDepthLimit,
              resolverCountLimit: manifest.api.resolverCountLimit,
              rootFieldLimits: { 'Mutation.placeOrder': manifest.api.maxOrdersPerRequest },
            },
          }),
      // Browser pages besides the stack's own: the manifest's (the Apollo explorer) and this run's.
      corsOrigins: [...(m.api?.corsOrigins ?? []), ...(options.corsOrigins ?? [])],
      introspection: options.introspection ?? true,
      // Any browser client on this origin can configure Amplify from here, and the web demo's
      // one-click sign-in reads the seeded accounts (the same lists as demo-users.json and
      // demo-operators.json: demo data).
      extraRoutes: (req, res) => clientFiles(req, res) || metrics.route(req, res) || (options.extraRoutes?.(req, res) ?? false),
      ...(tls === undefined ? {} : { tls: { cert: tls.certPem, key: tls.keyPem, port: options.tls?.port ?? defaultPort(2) } }),
    });
    stops.push(() => appsync.stop());
    api.graphqlUrl = appsync.url;
    webDemo.cors = webDemoCorsPolicy(appsync.url, appsync.tls?.port);
    const amplifyConfig = amplifyConfigFor(appsync.url, LOCAL_REGION, LOCAL_API_KEY, userPool);
    api.amplifyConfig = amplifyConfig;
    const functionEnv: Record<string, string> = {};
    for (const fn of m.functions) {
      for (const { name, source } of fn.env) {
        const value = envValue(name, source);
        const previous = functionEnv[name];
        if (previous !== undefined && previous !== value) {
          throw new Error(`env var ${name} means different things to different functions; functions share one process here`);
        }
        functionEnv[name] = value;
      }
    }

    Object.assign(process.env, functionEnv);
    progress(`AppSync GraphQL ready on ${appsync.url}`);

    const streams = quiet(new DynamoDBStreamsClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials }));
    stops.push(async () => streams.destroy());
    const pollers: { drained(): Promise<void> }[] = [];
    const checkpoints = options.inMemory ? undefined : checkpointFile(join(dataDir, 'stream-checkpoints.json'));
    // Each mapping's on-failure queue, named by the plan as on AWS (kept in fauxqs with the others).
    const sqs = quiet(new SQSClient({ endpoint: messaging.endpoint, region: LOCAL_REGION, credentials }));
    stops.push(async () => sqs.destroy());
    const failureQueues = new Map<string, string>();
    for (const mapping of m.streams) {
      const streamArn = tables.get(mapping.table)?.streamArn;
      if (streamArn === undefined) throw new Error(`table ${mapping.table} has no stream for ${mapping.function}`);
      const { QueueUrl: failureQueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: mapping.failureQueue }));
      if (failureQueueUrl === undefined) throw new Error(`fauxqs returned no URL for ${mapping.failureQueue}`);
      failureQueues.set(mapping.failureQueue, failureQueueUrl);
      const poller = await startStreamPoller({
        streams,
        streamArn,
        batchSize: mapping.batchSize,
        // As Lambda: up to this many batches of a shard at once, never one order in two of them.
        parallelizationFactor: mapping.parallelizationFactor,
        // mapping.maxBatchingWindowSeconds is AWS-only: the poller hands a batch over as soon as
        // it is read (a window of 0, which is the manifest's).
        // Every shard resumes after its checkpoint (kept in the data folder unless in memory), and
        // one without a checkpoint is read from its start: nothing written is ever skipped.
        startingPosition: 'TRIM_HORIZON',
        checkpoints: checkpoints?.scope(`${mapping.function} ${streamArn}`),
        maxRetries: mapping.maxRetries,
        // As the CDK mapping: bisect on error, and Lambda's on-failure record to the failure queue.
        bisectBatchOnError: true,
        functionArn: invoker.arn(mapping.function),
        onFailure: (_records, _error, failure) =>
          sqs.send(new SendMessageCommand({ QueueUrl: failureQueueUrl, MessageBody: JSON.stringify(failure) })),
        // The mapping's event filter (Lambda event filtering), applied before the invocation.
        handler: filteredStreamHandler(mapping.filter, async (event: DynamoDBStreamEvent) =>
          parseBatchResponse(await invoker.invoke(mapping.function, event)),
        ),
        logger: log,
      });
      stops.push(() => poller.stop());
      pollers.push(poller);
    }
    progress(`${pollers.length} stream mapping(s) polling; failed batches to ${[...failureQueues.values()].join(', ')}`);

    // The seeded stores are onboarded by the code path createStore takes (functions/lib/stores.ts):
    // their queues, filtered subscriptions and staff groups, then their rows. Idempotent.
    const storesDoc = DynamoDBDocumentClient.from(dynamodb);
    await seedStores(
      new StoreOnboarding(
        {
          sqs,
          sns,
          userPool: userPoolAdmin({ userPoolId: cognito.userPoolId, region: LOCAL_REGION, endpoint: cognito.endpoint, credentials }),
        },
        { topicArn: messaging.topicArn('StoreAlerts'), queuePrefix: STORE_QUEUE_PREFIX },
      ),
      new StoreRepository(storesDoc, tableName('Stores')),
      SEED_STORES,
    );
    for (const user of [...DEMO_USERS, ...DEMO_OPERATORS]) {
      const groups = [ROLE_GROUPS[user.role], ...(user.role === 'store' ? [storeGroup(user.storeId)] : [])];
      try {
        await cognito.createUser({ username: user.username, password: user.password, groups, attributes: { email: user.username } });
      } catch (error) {
        // Kept from an earlier run (persistent stack): seeding is idempotent.
        if (!(error instanceof CognitoError && error.code === ErrorCode.UsernameExists)) throw error;
      }
    }
    progress(`${SEED_STORES.length} stores onboarded, ${DEMO_USERS.length + DEMO_OPERATORS.length} demo accounts`);
    // fauxqs's URLs, as rewritten to its endpoint (local/messaging/messaging.ts).
    const localQueueUrl = (name: string) => `${messaging.endpoint}/${LOCAL_ACCOUNT_ID}/${name}`;
    const isStoreQueue = (logical: string) => logical.startsWith(storeQueueName(STORE_QUEUE_PREFIX, ''));
    sfn.resumeExecutions(); // workflows left running by the last run continue, now that their Lambdas' env is set

    return {
      graphqlUrl: appsync.url,
      realtimeUrl: appsync.realtimeUrl,
      explorerUrl: appsync.explorerUrl,
      ...(appsync.tls === undefined || cognito.tlsEndpoint === undefined || tls === undefined
        ? {}
        : {
            tls: {
              graphqlUrl: appsync.tls.url,
              realtimeUrl: appsync.tls.realtimeUrl,
              userPoolEndpoint: cognito.tlsEndpoint,
              caFile: tls.caFile,
            },
          }),
      apiKey: LOCAL_API_KEY,
      region: LOCAL_REGION,
      amplifyConfig,
      userPool,
      demoUsers: DEMO_USERS,
      demoOperators: DEMO_OPERATORS,
      endpoints: { dynamodb: dynamo.endpoint, sfn: sfn.url, sns: messaging.endpoint, sqs: messaging.endpoint, ssm: ssm.url },
      tableName,
      queueUrl: (logical) => failureQueues.get(logical) ?? (isStoreQueue(logical) ? localQueueUrl(logical) : messaging.queueUrl(logical)),
      dlqUrl: (logical) =>
        isStoreQueue(logical) ? localQueueUrl(storeDeadLetterQueueName(STORE_QUEUE_PREFIX)) : messaging.dlqUrl(logical),
      stateMachineArn,
      drainStreams: async () => {
        await Promise.all(pollers.map((p) => p.drained()));
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * The origins the web demo is served from: the API's own (it serves the demo), on its plain port
 * and, with TLS, its HTTPS port, under each loopback name (local/appsync/server/cors.ts's rule).
 * The user pool answers browsers from these only.
 */
export function webDemoCorsPolicy(graphqlUrl: string, tlsPort: number | undefined): CorsPolicy {
  const api = new URL(graphqlUrl);
  const tlsOrigins =
    tlsPort === undefined ? [] : ['127.0.0.1', 'localhost', '[::1]', api.hostname].map((h) => new URL(`https://${h}:${tlsPort}`).origin);
  return localCorsPolicy(Number(api.port), [api.origin, ...tlsOrigins]);
}

/**
 * The Amplify v6 config for a local endpoint. Amplify dials wss:// for any http(s) endpoint,
 * so `endpoint` (used only for the realtime socket) is ws://, and `customEndpoint` (+ its
 * region, without which Amplify sends no auth headers) carries queries and mutations. Clients
 * sign in and call in `userPool` mode (the access token); the API key is there for `listStores`.
 */
export function amplifyConfigFor(graphqlUrl: string, region: string, apiKey: string, userPool: LocalUserPool): AmplifyConfig {
  return {
    API: {
      GraphQL: {
        endpoint: graphqlUrl.replace(/^http/, 'ws'),
        customEndpoint: graphqlUrl,
        customEndpointRegion: region,
        region,
        defaultAuthMode: 'userPool',
        apiKey,
      },
    },
    Auth: {
      Cognito: {
        userPoolId: userPool.userPoolId,
        userPoolClientId: userPool.clientId,
        userPoolEndpoint: userPool.endpoint,
        loginWith: { email: true },
        signUpVerificationMethod: 'code',
      },
    },
  };
}

function parseBatchResponse(result: unknown): void | { batchItemFailures: { itemIdentifier: string }[] } {
  if (typeof result !== 'object' || result === null || !('batchItemFailures' in result) || !Array.isArray(result.batchItemFailures)) return;
  const failures = result.batchItemFailures.flatMap((f: unknown) =>
    typeof f === 'object' && f !== null && 'itemIdentifier' in f && typeof f.itemIdentifier === 'string'
      ? [{ itemIdentifier: f.itemIdentifier }]
      : [],
  );
  return { batchItemFailures: failures };
}

export async function writeAmplifyConfig(config: AmplifyConfig, file: string = join(REPO_ROOT, 'amplify-config.json')): Promise<string> {
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/**
 * Writes demo accounts as `[{ username, password, role, storeId? }]` (demo-users.json, and
 * demo-operators.json for the operators), mode 0600; both files are git-ignored.
 */
export async function writeDemoUsers(users: readonly DemoAccount[], file: string): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 });
  return file;
}
