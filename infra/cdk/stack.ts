/**
 * The AWS stack: the manifest's plan (infra/manifest-plan.ts, the interpretation the local stack
 * uses too) mapped onto CDK constructs, with the same artefacts the local stack runs:
 * schema.graphql, resolvers/*.ts (APPSYNC_JS, bundled by resolvers/bundle.ts as the local runtime
 * bundles them), functions/*.ts (one NodejsFunction each, bundled with the local esbuild, never
 * Docker) and the workflow ASL with definitionSubstitutions. Env-agnostic: no lookups, so `cdk synth`
 * needs neither credentials nor network.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArnFormat, Aws, CfnOutput, Duration, Expiration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { bundleResolverCode } from '../../resolvers/bundle.js';
import { ORS_API_KEY_PARAMETER } from '../manifest.js';
import { ManifestReferenceError, planManifest, type QueuePlan } from '../manifest-plan.js';
import type { ApiAuthSpec, Manifest } from '../manifest-types.js';
import { SEED_STORES } from '../seed-stores.js';
import { bindEnv, grant, type BindingTargets } from './bind-env.js';
import type { StackConfig } from './config.js';
import { Identity } from './identity.js';
import { Monitoring } from './monitoring.js';
import { acknowledgeNagFindings, type NagAcknowledgement } from './nag-suppressions.js';
import { OUTPUT, outputKey } from './outputs.js';
import { workflowPermissions } from './workflow-permissions.js';

/** Lambda memory for every function, in MB (also the basis of the cost estimate in infra/README.md). */
export const FUNCTION_MEMORY_MB = 256;
export { DEFAULT_FUNCTION_TIMEOUT_SECONDS, iamFields, ManifestReferenceError } from '../manifest-plan.js';
/** Messages kept in queues and dead-letter queues. */
const QUEUE_RETENTION = Duration.days(14);

export interface ServerlessPizzaStackProps extends StackProps {
  readonly manifest: Manifest;
  readonly config: StackConfig;
  /** Repository root: manifest paths (schema, entries, resolvers, ASL) are relative to it. */
  readonly rootDir: string;
}

/** `place-order`, `publishOrderUpdate`, `store-ouud…` → construct-id-safe PascalCase. */
export function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function lookup<T>(map: ReadonlyMap<string, T>, kind: string, name: string): T {
  const found = map.get(name);
  if (found === undefined) throw new ManifestReferenceError(`the manifest names unknown ${kind} "${name}"`);
  return found;
}

function attributeType(type: 'S' | 'N'): dynamodb.AttributeType {
  return type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER;
}

/** How many times a client's rate limit SigV4-signed (backend) requests from one address get. */
export const SIGNED_RATE_FACTOR = 100;
/** AWS WAF's largest rate-based limit. */
const MAX_WAF_RATE_LIMIT = 2_000_000_000;

export class ServerlessPizzaStack extends Stack {
  readonly api: appsync.GraphqlApi;
  readonly functions: ReadonlyMap<string, nodejs.NodejsFunction>;
  readonly tables: ReadonlyMap<string, dynamodb.Table>;
  readonly topics: ReadonlyMap<string, sns.Topic>;
  readonly queues: ReadonlyMap<string, { readonly queue: sqs.Queue; readonly dlq: sqs.Queue }>;
  readonly stateMachines: ReadonlyMap<string, sfn.StateMachine>;
  readonly monitoring: Monitoring;
  readonly identity: Identity;
  /** The cdk-nag findings this stack accepts, with reasons. */
  readonly nagAcknowledgements: readonly NagAcknowledgement[];

  constructor(scope: Construct, id: string, props: ServerlessPizzaStackProps) {
    super(scope, id, props);
    const { config, rootDir } = props;
    const m = planManifest(props.manifest, readFileSync(join(rootDir, props.manifest.schemaFile), 'utf8'));
    const removalPolicy = config.retention === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const retention = config.logRetentionDays as logs.RetentionDays;
    const logGroup = (cid: string, logGroupName?: string) =>
      new logs.LogGroup(this, cid, { retention, removalPolicy, ...(logGroupName === undefined ? {} : { logGroupName }) });

    // --- tables -------------------------------------------------------------------------
    const tables = new Map<string, dynamodb.Table>();
    for (const spec of m.tables) {
      const table = new dynamodb.Table(this, `${pascal(spec.name)}Table`, {
        partitionKey: { name: spec.partitionKey.name, type: attributeType(spec.partitionKey.type) },
        ...(spec.sortKey === undefined ? {} : { sortKey: { name: spec.sortKey.name, type: attributeType(spec.sortKey.type) } }),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        ...(spec.stream === undefined ? {} : { stream: dynamodb.StreamViewType[spec.stream] }),
        ...(spec.ttlAttribute === undefined ? {} : { timeToLiveAttribute: spec.ttlAttribute }),
        // Every table: restoring a second of history is cheap next to losing orders or stores.
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        removalPolicy,
      });
      for (const gsi of spec.globalSecondaryIndexes ?? []) {
        table.addGlobalSecondaryIndex({
          indexName: gsi.name,
          partitionKey: { name: gsi.partitionKey.name, type: attributeType(gsi.partitionKey.type) },
          ...(gsi.sortKey === undefined ? {} : { sortKey: { name: gsi.sortKey.name, type: attributeType(gsi.sortKey.type) } }),
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      tables.set(spec.name, table);
    }
    this.tables = tables;

    // --- topics and queues ----------------------------------------------------------------
    // SSE with the AWS-managed key: publishers in this account need no key grant, and the
    // SQS subscribers use SSE-SQS, which SNS can deliver to without a key policy.
    const snsKey = kms.Alias.fromAliasName(this, 'SnsManagedKey', 'alias/aws/sns');
    const topics = new Map<string, sns.Topic>();
    for (const spec of m.topics) {
      topics.set(spec.name, new sns.Topic(this, `${pascal(spec.name)}Topic`, { masterKey: snsKey, enforceSSL: true }));
    }
    this.topics = topics;
    const secureQueue = (cid: string, props: sqs.QueueProps = {}) =>
      new sqs.Queue(this, cid, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: QUEUE_RETENTION,
        ...props,
      });
    const queues = new Map<string, { queue: sqs.Queue; dlq: sqs.Queue }>();
    for (const spec of m.queues) {
      const queueName = this.queueName(spec);
      const dlq = secureQueue(`${pascal(spec.name)}Dlq`, { queueName: `${queueName}-dlq` });
      const queue = secureQueue(`${pascal(spec.name)}Queue`, {
        queueName,
        deadLetterQueue: { queue: dlq, maxReceiveCount: spec.maxReceiveCount },
      });
      const filterPolicy =
        spec.filterPolicy === undefined
          ? undefined
          : Object.fromEntries(Object.entries(spec.filterPolicy).map(([attr, values]) => [attr, new sns.SubscriptionFilter([...values])]));
      lookup(topics, 'topic', spec.topic).addSubscription(
        new subscriptions.SqsSubscription(queue, { rawMessageDelivery: true, ...(filterPolicy === undefined ? {} : { filterPolicy }) }),
      );
      queues.set(spec.name, { queue, dlq });
    }
    this.queues = queues;

    // --- identity: the user pool whose tokens the API accepts ------------------------------
    // The seeded stores' groups stay declared (a deployed pool keeps them and their members);
    // onboarding finds them there, and creates the group of every other store itself.
    const identity = new Identity(this, 'Identity', { removalPolicy, storeIds: SEED_STORES.map((store) => store.storeId) });
    this.identity = identity;

    // --- GraphQL API (created before the functions: publishOrderUpdate is told its URL) ------
    const apiLogRole = new iam.Role(this, 'ApiLogRole', { assumedBy: new iam.ServicePrincipal('appsync.amazonaws.com') });
    const [defaultAuthorization, ...additionalAuthorizationModes] = this.authorizationModes(m.auth, identity, config);
    const api = new appsync.GraphqlApi(this, 'Api', {
      name: `${this.stackName}-api`,
      definition: appsync.Definition.fromFile(join(rootDir, m.schemaFile)),
      authorizationConfig: { defaultAuthorization, additionalAuthorizationModes },
      xrayEnabled: true,
      introspectionConfig: config.introspection ? appsync.IntrospectionConfig.ENABLED : appsync.IntrospectionConfig.DISABLED,
      // The manifest's abuse limits: AppSync enforces these itself.
      ...(props.manifest.api === undefined
        ? {}
        : { queryDepthLimit: props.manifest.api.queryDepthLimit, resolverCountLimit: props.manifest.api.resolverCountLimit }),
    });
    this.api = api;
    if (props.manifest.api !== undefined) this.rateLimit(api, props.manifest.api.rateLimitPerFiveMinutes);
    // Logging set on the L1 resource: the L2 logConfig adds a LogRetention custom resource
    // (a Lambda with broad log permissions) to manage a group this stack can own directly.
    const cfnApi = api.node.defaultChild;
    if (!(cfnApi instanceof appsync.CfnGraphQLApi)) throw new Error('GraphqlApi has no CfnGraphQLApi');
    cfnApi.logConfig = {
      cloudWatchLogsRoleArn: apiLogRole.roleArn,
      fieldLogLevel: appsync.FieldLogLevel.ERROR,
      excludeVerboseContent: false,
    };
    // The group AppSync writes to, owned by the stack (retention, removal) and the only one its role may write.
    const apiLogs = logGroup('ApiLogs', `/aws/appsync/apis/${api.apiId}`);
    apiLogRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [apiLogs.logGroupArn] }),
    );

    // --- functions ------------------------------------------------------------------------
    const stateMachineName = (logical: string) => `${this.stackName}-${logical}`;
    const stateMachineArn = (logical: string) =>
      this.formatArn({
        service: 'states',
        resource: 'stateMachine',
        resourceName: stateMachineName(logical),
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const targets: BindingTargets = {
      table: (logical) => lookup(tables, 'table', logical),
      topic: (logical) => lookup(topics, 'topic', logical),
      stateMachineArn,
      api,
      ssmParameterName: (name) => (name === ORS_API_KEY_PARAMETER ? config.orsApiKeyParameter : name),
      queueNamePrefix: (prefix) => this.queueNamePrefix(prefix),
      userPool: identity.userPool,
      ...(config.orsApiKeyKmsKeyArn === undefined ? {} : { ssmKmsKeyArn: config.orsApiKeyKmsKeyArn }),
    };
    const functions = new Map<string, nodejs.NodejsFunction>();
    const nagFunctions = new Map<string, { role: iam.Role; fn: nodejs.NodejsFunction }>();
    /** Function → the queue-name prefix ARN its role may create queues under (a wildcard by design). */
    const queuePrefixGrants = new Map<string, string>();
    const ssmKeyWildcard = new Set<string>();
    /** Functions the user pool invokes as a trigger (their grant names any pool of the account: see bind-env.ts). */
    const userPoolTriggers = new Set<string>();
    for (const spec of m.functions) {
      const cid = pascal(spec.name);
      // Own role and log group: the role may write this group only (no AWSLambdaBasicExecutionRole).
      const role = new iam.Role(this, `${cid}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      const fnLogs = logGroup(`${cid}Logs`);
      fnLogs.grantWrite(role);
      const fn = new nodejs.NodejsFunction(this, `${cid}Function`, {
        entry: join(rootDir, spec.entry),
        handler: 'handler',
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: FUNCTION_MEMORY_MB,
        timeout: Duration.seconds(spec.timeoutSeconds),
        tracing: lambda.Tracing.ACTIVE,
        role,
        logGroup: fnLogs,
        projectRoot: rootDir,
        depsLockFilePath: join(rootDir, 'package-lock.json'),
        // Node 22's SDK reuses connections already; the variable would only add an env var the code does not read.
        awsSdkConnectionReuse: false,
        bundling: {
          format: nodejs.OutputFormat.ESM,
          target: 'node22',
          mainFields: ['module', 'main'],
          minify: true,
          sourceMap: false,
          // Bundle every dependency, the SDK included: the deployed code runs the versions the tests ran.
          externalModules: [],
          // CommonJS dependencies bundled into ESM still call require().
          banner: 'import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);',
          forceDockerBundling: false,
          tsconfig: join(rootDir, 'tsconfig.json'),
        },
      });
      for (const env of spec.env) {
        bindEnv(fn, env, targets);
        if (env.source.kind === 'queuePrefix') queuePrefixGrants.set(spec.name, `${this.queueNamePrefix(env.source.prefix)}*`);
      }
      for (const g of spec.grants) grant(fn, g, targets);
      if (spec.userPoolTrigger !== undefined) {
        identity.addTrigger(spec.userPoolTrigger, fn);
        userPoolTriggers.add(spec.name);
      }
      functions.set(spec.name, fn);
      nagFunctions.set(spec.name, { role, fn });
      if (config.orsApiKeyKmsKeyArn === undefined && spec.readsSsmParameter) ssmKeyWildcard.add(spec.name);
    }
    this.functions = functions;

    // --- data sources and resolvers -------------------------------------------------------
    const dataSources = new Map<string, appsync.BaseDataSource>();
    const lambdaDataSources: { serviceRole: iam.IRole; fn: lambda.IFunction }[] = [];
    const indexedTableDataSources: { serviceRole: iam.IRole; table: dynamodb.ITable }[] = [];
    for (const ds of m.dataSources) {
      let source: appsync.BaseDataSource;
      if (ds.type === 'NONE') {
        source = api.addNoneDataSource(ds.name);
      } else if (ds.type === 'AWS_LAMBDA') {
        const fn = lookup(functions, 'function', ds.function);
        const lambdaSource = api.addLambdaDataSource(ds.name, fn);
        if (lambdaSource.grantPrincipal instanceof iam.Role) lambdaDataSources.push({ serviceRole: lambdaSource.grantPrincipal, fn });
        source = lambdaSource;
      } else {
        const table = lookup(tables, 'table', ds.table);
        // Constructed directly: GraphqlApi.addDynamoDbDataSource ignores readOnlyAccess and grants read/write.
        const tableSource = new appsync.DynamoDbDataSource(api, ds.name, {
          api,
          table,
          name: ds.name,
          readOnlyAccess: ds.access === 'read',
        });
        if (ds.indexed && tableSource.grantPrincipal instanceof iam.Role)
          indexedTableDataSources.push({ serviceRole: tableSource.grantPrincipal, table });
        source = tableSource;
      }
      dataSources.set(ds.name, source);
    }
    for (const spec of m.resolvers) {
      api.createResolver(`${pascal(spec.typeName)}${pascal(spec.fieldName)}Resolver`, {
        typeName: spec.typeName,
        fieldName: spec.fieldName,
        dataSource: lookup(dataSources, 'data source', spec.dataSource.name),
        runtime: appsync.FunctionRuntime.JS_1_0_0,
        code: appsync.Code.fromInline(bundleResolverCode(join(rootDir, spec.file))),
      });
    }

    // --- state machines -------------------------------------------------------------------
    const stateMachines = new Map<string, sfn.StateMachine>();
    const stateMachineRoles: iam.IRole[] = [];
    for (const spec of m.stateMachines) {
      const definition = readFileSync(join(rootDir, spec.definitionFile), 'utf8');
      const substitutions: Record<string, string> = {};
      const resourceArns = new Map<string, string>();
      for (const { placeholder, target } of spec.substitutions) {
        if (target.kind === 'function') {
          const fn = lookup(functions, 'function', target.name);
          substitutions[placeholder] = fn.functionArn;
          resourceArns.set(placeholder, fn.functionArn);
        } else if (target.kind === 'table') {
          const table = lookup(tables, 'table', target.name);
          substitutions[placeholder] = table.tableName;
          resourceArns.set(placeholder, table.tableArn);
        } else {
          const topic = lookup(topics, 'topic', target.name);
          substitutions[placeholder] = topic.topicArn;
          resourceArns.set(placeholder, topic.topicArn);
        }
      }
      const cid = pascal(spec.name);
      const sm = new sfn.StateMachine(this, cid, {
        stateMachineName: stateMachineName(spec.name),
        stateMachineType: sfn.StateMachineType.STANDARD,
        definitionBody: sfn.DefinitionBody.fromString(definition),
        definitionSubstitutions: substitutions,
        // Execution data stays out of the logs: inputs and task payloads carry task tokens.
        logs: {
          destination: logGroup(`${cid}Logs`, `/aws/vendedlogs/states/${stateMachineName(spec.name)}`),
          level: sfn.LogLevel.ALL,
          includeExecutionData: false,
        },
        tracingEnabled: true,
      });
      for (const permission of workflowPermissions(JSON.parse(definition))) {
        const arn = resourceArns.get(permission.placeholder);
        if (arn === undefined)
          throw new ManifestReferenceError(
            `${spec.definitionFile} uses \${${permission.placeholder}}, which ${spec.name} does not substitute`,
          );
        sm.addToRolePolicy(new iam.PolicyStatement({ actions: [...permission.actions], resources: [arn] }));
      }
      stateMachines.set(spec.name, sm);
      stateMachineRoles.push(sm.role);
      new CfnOutput(this, outputKey('StateMachineArn', spec.name), { value: sm.stateMachineArn });
    }
    this.stateMachines = stateMachines;

    // --- stream mappings ------------------------------------------------------------------
    const streamConsumers = new Set<string>();
    const streamFailureQueues: sqs.Queue[] = [];
    for (const spec of m.streams) {
      const table = lookup(tables, 'table', spec.table);
      const fn = lookup(functions, 'function', spec.function);
      if (table.tableStreamArn === undefined) throw new ManifestReferenceError(`table ${spec.table} has no stream for ${spec.function}`);
      const failures = secureQueue(pascal(spec.failureQueue));
      streamConsumers.add(spec.function);
      streamFailureQueues.push(failures);
      fn.addEventSource(
        new DynamoEventSource(table, {
          startingPosition: lambda.StartingPosition.LATEST,
          batchSize: spec.batchSize,
          parallelizationFactor: spec.parallelizationFactor,
          maxBatchingWindow: Duration.seconds(spec.maxBatchingWindowSeconds),
          bisectBatchOnError: true,
          retryAttempts: spec.maxRetries,
          reportBatchItemFailures: true,
          onFailure: new SqsDlq(failures),
          // Lambda event filtering: records matching no pattern never reach the function.
          ...(spec.filter === undefined
            ? {}
            : { filters: [lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.or(...spec.filter.eventName) })] }),
        }),
      );
      new CfnOutput(this, outputKey('DlqUrl', spec.failureQueue), { value: failures.queueUrl });
    }

    // --- outputs --------------------------------------------------------------------------
    const host = Fn.select(2, Fn.split('/', api.graphqlUrl));
    const apiId = Fn.select(0, Fn.split('.', host));
    new CfnOutput(this, OUTPUT.graphqlUrl, { value: api.graphqlUrl });
    new CfnOutput(this, OUTPUT.realtimeUrl, { value: `wss://${apiId}.appsync-realtime-api.${Aws.REGION}.${Aws.URL_SUFFIX}/graphql` });
    // The API key is a client identifier (it ships in every web client), not a secret: it opens
    // only the fields schema.graphql marks @aws_api_key (the public store list).
    new CfnOutput(this, OUTPUT.apiKey, { value: api.apiKey ?? '' });
    new CfnOutput(this, OUTPUT.region, { value: Aws.REGION });
    for (const [name, table] of tables) new CfnOutput(this, outputKey('TableName', name), { value: table.tableName });
    for (const [name, topic] of topics) new CfnOutput(this, outputKey('TopicArn', name), { value: topic.topicArn });
    for (const [name, { queue, dlq }] of queues) {
      new CfnOutput(this, outputKey('QueueUrl', name), { value: queue.queueUrl });
      new CfnOutput(this, outputKey('DlqUrl', name), { value: dlq.queueUrl });
    }
    // Store queues are created at onboarding: `npm run seed` onboards with these names, and a
    // store system reads `<prefix><storeId>` (README "Stores").
    const storeQueuePrefixes = new Set(
      m.functions.flatMap((fn) => fn.env.flatMap((e) => (e.source.kind === 'queuePrefix' ? [e.source.prefix] : []))),
    );
    for (const prefix of storeQueuePrefixes) new CfnOutput(this, OUTPUT.storeQueuePrefix, { value: this.queueNamePrefix(prefix) });

    // Alarms and dashboard (infra/cdk/monitoring.ts); last: it finds the dead-letter queues and stream mappings itself.
    this.monitoring = new Monitoring(this, 'Monitoring', {
      config,
      api,
      functions,
      stateMachines,
      storeQueuePrefixes: [...storeQueuePrefixes].map((prefix) => this.queueNamePrefix(prefix)),
    });

    this.nagAcknowledgements = acknowledgeNagFindings({
      functions: nagFunctions,
      lambdaDataSources,
      indexedTableDataSources,
      stateMachineRoles,
      streamConsumers,
      ssmKeyWildcard,
      streamFailureQueues,
      userPools: [identity.userPool],
      queuePrefixGrants,
      userPoolTriggers,
    });
  }

  /**
   * The manifest's auth modes as AppSync's, default first: the API accepts these and no others
   * (schema.graphql's directives say which fields each additional mode may reach).
   */
  private authorizationModes(auth: ApiAuthSpec, identity: Identity, config: StackConfig): appsync.AuthorizationMode[] {
    return [auth.defaultMode, ...auth.additionalModes].map((mode): appsync.AuthorizationMode => {
      switch (mode) {
        case 'AMAZON_COGNITO_USER_POOLS':
          return identity.authorizationMode;
        case 'AWS_IAM':
          return { authorizationType: appsync.AuthorizationType.IAM };
        case 'API_KEY':
          // AppSync API keys always expire (1–365 days; CDK's default would be 7), so the lifetime
          // is a setting and each deploy moves the expiry forward. The key opens only listStores
          // (a client shows the stores before anyone signs in): a lapsed key breaks that list alone,
          // a leaked one reveals nothing but store names and locations.
          return {
            authorizationType: appsync.AuthorizationType.API_KEY,
            apiKeyConfig: {
              description: `${this.stackName} store list`,
              expires: Expiration.after(Duration.days(config.apiKeyExpiryDays)),
            },
          };
      }
    });
  }

  /**
   * A WAF web ACL on the API that blocks a client IP above `limit` requests in 5 minutes.
   * SigV4-signed requests (the stream publisher) are counted by a rule of their own with a
   * `SIGNED_RATE_FACTOR` times higher limit: Lambda's egress addresses are shared by every
   * invocation, so at 10 orders/s the publisher alone would exceed a client's limit. A forged
   * signature only moves a caller into that rule's budget, and AppSync refuses it (401).
   */
  private rateLimit(api: appsync.GraphqlApi, limit: number): void {
    const metric = (name: string) => ({ cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true });
    const signed: wafv2.CfnWebACL.StatementProperty = {
      byteMatchStatement: {
        fieldToMatch: { singleHeader: { Name: 'authorization' } },
        positionalConstraint: 'STARTS_WITH',
        searchString: 'AWS4-HMAC-SHA256',
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    };
    const rate = (scopeDownStatement: wafv2.CfnWebACL.StatementProperty, perFiveMinutes: number) => ({
      rateBasedStatement: { limit: perFiveMinutes, aggregateKeyType: 'IP', evaluationWindowSec: 300, scopeDownStatement },
    });
    const acl = new wafv2.CfnWebACL(this, 'ApiWebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: metric(`${this.stackName}-api`),
      rules: [
        {
          name: 'RatePerClientIp',
          priority: 0,
          action: { block: {} },
          statement: rate({ notStatement: { statement: signed } }, limit),
          visibilityConfig: metric(`${this.stackName}-api-rate`),
        },
        {
          name: 'RatePerSignedCallerIp',
          priority: 1,
          action: { block: {} },
          statement: rate(signed, Math.min(limit * SIGNED_RATE_FACTOR, MAX_WAF_RATE_LIMIT)),
          visibilityConfig: metric(`${this.stackName}-api-signed-rate`),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'ApiWebAclAssociation', { resourceArn: api.arn, webAclArn: acl.attrArn });
  }

  /** Physical prefix of queues created at run time under a manifest prefix: named like manifest queues. */
  private queueNamePrefix(prefix: string): string {
    return `${this.stackName}-${prefix}`;
  }

  /** Physical queue name: stable, so store systems can be configured with it. */
  private queueName(spec: QueuePlan): string {
    const name = `${this.stackName}-${spec.name}`;
    // SQS: at most 80 characters; "-dlq" is appended for the dead-letter queue.
    if (name.length > 76 || !/^[A-Za-z0-9_-]+$/.test(name))
      throw new ManifestReferenceError(`queue name ${name} is not a valid SQS name (≤ 76 characters of letters, digits, - or _)`);
    return name;
  }
}
