import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { GraphqlApi } from 'aws-cdk-lib/aws-appsync';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildSchema, isObjectType, Kind, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadResolver } from '../../local/appsync/runtime/index.js';
import { CANCELLATION_REASON_DIMENSION, METRICS_NAMESPACE, METRICS_SERVICE, ORDER_COUNTS, ORDER_DURATIONS } from '../../domain/metrics.js';
import { ROLE_GROUPS, storeGroup } from '../../domain/party.js';
import { manifest, ORS_API_KEY_PARAMETER } from '../manifest.js';
import { QUEUE_PREFIX_ACTIONS, streamFailureQueueName, USER_POOL_GROUP_ADMIN_ACTIONS } from '../manifest-plan.js';
import { storeDeadLetterQueueName } from '../../functions/lib/stores.js';
import { SEED_STORES } from '../seed-stores.js';
import { TABLE_ACTIONS, TASK_RESPONSE_ACTIONS } from './bind-env.js';
import { Identity } from './identity.js';
import { ALARM_RULES, type AlarmKind, Monitoring } from './monitoring.js';
import { OUTPUT, outputKey } from './outputs.js';
import { SIGNED_RATE_FACTOR } from './stack.js';
import { logicalId, referencedIds, REPO_ROOT, synthesize, type Synthesized } from './testing/synth.js';

/**
 * Statements whose resource may be "*": the action supports no resource-level permission.
 * - X-Ray (active tracing of functions and the workflow);
 * - CloudWatch Logs vended delivery (Step Functions logging);
 * - dynamodb:ListStreams (the stream event source).
 */
const STAR_RESOURCE_ACTIONS = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'dynamodb:ListStreams',
]);

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

let s: Synthesized;
beforeAll(() => {
  s = synthesize(manifest);
}, 180_000);
afterAll(() => s.dispose());

function resourcesOfType(type: string) {
  return Object.entries(s.json.Resources).filter(([, r]) => r.Type === type);
}

function policyStatementsOf(roleLogicalId: string): Statement[] {
  return resourcesOfType('AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: roleLogicalId }]))
    .flatMap(([, p]) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actionsOf = (st: Statement) => (Array.isArray(st.Action) ? st.Action : [st.Action]);
const resourcesOf = (st: Statement) => (Array.isArray(st.Resource) ? st.Resource : [st.Resource]);

describe('ServerlessPizzaStack', () => {
  describe('GraphQL API', () => {
    it('has an APPSYNC_JS unit resolver for every Query and Mutation field of the schema, and for onOrderUpdated', () => {
      const prelude = readFileSync(join(REPO_ROOT, 'infra/appsync-prelude.graphql'), 'utf8');
      const schema = buildSchema(`${prelude}\n${readFileSync(join(REPO_ROOT, manifest.schemaFile), 'utf8')}`);
      const fields = ['Query', 'Mutation'].flatMap((type) => {
        const t = schema.getType(type);
        return isObjectType(t) ? Object.keys(t.getFields()).map((f) => `${type}.${f}`) : [];
      });
      const resolvers = resourcesOfType('AWS::AppSync::Resolver').map(([, r]) => r.Properties ?? {});
      // The subscription's resolver runs at subscribe time and sets the filter from the identity.
      expect(resolvers.map((r) => `${String(r.TypeName)}.${String(r.FieldName)}`).sort()).toEqual(
        [...fields, 'Subscription.onOrderUpdated'].sort(),
      );
      expect(resolvers.find((r) => r.TypeName === 'Subscription')?.DataSourceName).toBe('None');
      for (const r of resolvers) {
        expect(r.Runtime).toEqual({ Name: 'APPSYNC_JS', RuntimeVersion: '1.0.0' });
        expect(r.Kind).toBe('UNIT');
      }
    });

    it('points every resolver at a data source of the stack, of the manifest type', () => {
      for (const spec of manifest.resolvers) {
        const [, resolver] = resourcesOfType('AWS::AppSync::Resolver').find(([, r]) => r.Properties?.FieldName === spec.fieldName) ?? [];
        expect(resolver?.Properties?.DataSourceName).toBe(spec.dataSource);
        const [, ds] = resourcesOfType('AWS::AppSync::DataSource').find(([, d]) => d.Properties?.Name === spec.dataSource) ?? [];
        const dsSpec = manifest.dataSources.find((d) => d.name === spec.dataSource);
        expect(ds?.Type, spec.fieldName).toBe('AWS::AppSync::DataSource');
        expect(ds?.Properties?.Name).toBe(spec.dataSource);
        expect(ds?.Properties?.Type).toBe(dsSpec?.type);
      }
    });

    it('deploys exactly the code the local APPSYNC_JS runtime bundles and runs', async () => {
      for (const spec of manifest.resolvers) {
        const [, resolver] = resourcesOfType('AWS::AppSync::Resolver').find(([, r]) => r.Properties?.FieldName === spec.fieldName) ?? [];
        const local = await loadResolver(join(REPO_ROOT, spec.file));
        // The local bundle only adds the pointer to its source map.
        const localCode = local.code.replace(/\n\/\/# sourceMappingURL=\S+\n?$/, '\n');
        expect(resolver?.Properties?.Code, spec.file).toBe(localCode);
      }
    });

    it("authorises with the manifest's modes: the user pool by default, IAM and the API key additionally, with logging and X-Ray", () => {
      expect(manifest.auth).toEqual({ defaultMode: 'AMAZON_COGNITO_USER_POOLS', additionalModes: ['AWS_IAM', 'API_KEY'] });
      const [[poolId] = []] = resourcesOfType('AWS::Cognito::UserPool');
      const [[clientId] = []] = resourcesOfType('AWS::Cognito::UserPoolClient');
      s.template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
        AuthenticationType: 'AMAZON_COGNITO_USER_POOLS',
        // Tokens of this pool, issued to this app client only; a valid token of the pool lets the caller in (ALLOW).
        UserPoolConfig: {
          UserPoolId: { Ref: poolId },
          AwsRegion: { Ref: 'AWS::Region' },
          AppIdClientRegex: { 'Fn::Join': ['', ['^', { Ref: clientId }, '$']] },
          DefaultAction: 'ALLOW',
        },
        AdditionalAuthenticationProviders: [{ AuthenticationType: 'AWS_IAM' }, { AuthenticationType: 'API_KEY' }],
        XrayEnabled: true,
        IntrospectionConfig: 'ENABLED',
        LogConfig: { FieldLogLevel: 'ERROR', CloudWatchLogsRoleArn: Match.anyValue() },
      });
      // The API key (listStores only) keeps its configured expiry: 30 days from the synth by default.
      s.template.resourceCountIs('AWS::AppSync::ApiKey', 1);
      const [[, key] = ['', undefined]] = resourcesOfType('AWS::AppSync::ApiKey');
      const expiresInDays = (Number(key?.Properties?.Expires) - Date.now() / 1000) / 86_400;
      expect(expiresInDays).toBeGreaterThan(29);
      expect(expiresInDays).toBeLessThanOrEqual(30);
      // Logging is set on the L1 API: no LogRetention custom resource (a Lambda with "*" log permissions).
      expect(resourcesOfType('Custom::LogRetention')).toEqual([]);
      s.template.resourceCountIs('AWS::Lambda::Function', manifest.functions.length);
    });

    it('opens only the fields schema.graphql marks @aws_api_key to the API key: listStores and its types', () => {
      const definition = String(resourcesOfType('AWS::AppSync::GraphQLSchema')[0]?.[1].Properties?.Definition);
      const apiKey = (node: { readonly directives?: readonly { readonly name: { readonly value: string } }[] }) =>
        node.directives?.some((d) => d.name.value === 'aws_api_key') === true;
      const keyed = parse(definition).definitions.flatMap((def) =>
        def.kind === Kind.OBJECT_TYPE_DEFINITION
          ? [...(apiKey(def) ? [def.name.value] : []), ...(def.fields ?? []).filter(apiKey).map((f) => `${def.name.value}.${f.name.value}`)]
          : [],
      );
      expect(keyed.sort()).toEqual(['Coordinates', 'Query.listStores', 'Store']);
    });

    it("sets the manifest's query depth and resolver count limits, and rate-limits each client IP with a WAF rule on the API", () => {
      const api = manifest.api;
      expect(api).toBeDefined();
      s.template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
        QueryDepthLimit: api?.queryDepthLimit,
        ResolverCountLimit: api?.resolverCountLimit,
      });
      // On AWS the resolver count is what bounds the orders of one request.
      expect(api?.resolverCountLimit).toBeLessThanOrEqual(api?.maxOrdersPerRequest ?? 0);
      s.template.resourceCountIs('AWS::WAFv2::WebACL', 1);
      const signedRequests = {
        ByteMatchStatement: Match.objectLike({
          FieldToMatch: { SingleHeader: { Name: 'authorization' } },
          PositionalConstraint: 'STARTS_WITH',
          SearchString: 'AWS4-HMAC-SHA256',
        }),
      };
      s.template.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        Rules: [
          Match.objectLike({
            Name: 'RatePerClientIp',
            Action: { Block: {} },
            Statement: {
              RateBasedStatement: Match.objectLike({
                Limit: api?.rateLimitPerFiveMinutes,
                AggregateKeyType: 'IP',
                EvaluationWindowSec: 300,
                ScopeDownStatement: { NotStatement: { Statement: signedRequests } },
              }),
            },
          }),
          // The publisher's signed calls share Lambda's egress addresses: a budget of their own.
          Match.objectLike({
            Name: 'RatePerSignedCallerIp',
            Action: { Block: {} },
            Statement: {
              RateBasedStatement: Match.objectLike({
                Limit: (api?.rateLimitPerFiveMinutes ?? 0) * SIGNED_RATE_FACTOR,
                ScopeDownStatement: signedRequests,
              }),
            },
          }),
        ],
      });
      const [[aclId] = []] = resourcesOfType('AWS::WAFv2::WebACL');
      const [[apiId] = []] = resourcesOfType('AWS::AppSync::GraphQLApi');
      s.template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
        ResourceArn: { 'Fn::GetAtt': [apiId, 'Arn'] },
        WebACLArn: { 'Fn::GetAtt': [aclId, 'Arn'] },
      });
    });
  });

  describe('functions', () => {
    it('runs every manifest function on Node.js 22, arm64, with a bundle of its entry', () => {
      for (const spec of manifest.functions) {
        const fn = s.stack.functions.get(spec.name);
        expect(fn, spec.name).toBeDefined();
        const props = s.json.Resources[logicalId(fn!)]?.Properties;
        expect(props?.Runtime).toBe('nodejs22.x');
        expect(props?.Architectures).toEqual(['arm64']);
        expect(props?.Handler).toBe('index.handler');
        expect(props?.TracingConfig).toEqual({ Mode: 'Active' });
      }
    });

    it("gives each function exactly the environment its handler declares, resolved to the stack's resources", async () => {
      const tableIds = new Map([...s.stack.tables].map(([name, t]) => [name, logicalId(t)]));
      const topicIds = new Map([...s.stack.topics].map(([name, t]) => [name, logicalId(t)]));
      const apiId = logicalId(s.stack.api);
      for (const spec of manifest.functions) {
        const mod: unknown = await import(join(REPO_ROOT, spec.entry));
        const declared = typeof mod === 'object' && mod !== null && 'ENV' in mod && Array.isArray(mod.ENV) ? mod.ENV.map(String) : [];
        // A function with no variables (the PostConfirmation trigger) has no Environment at all.
        const environment = s.json.Resources[logicalId(s.stack.functions.get(spec.name)!)]?.Properties?.Environment as
          { Variables: Record<string, unknown> } | undefined;
        const vars = environment?.Variables ?? {};
        expect(Object.keys(vars).sort(), spec.name).toEqual([...declared].sort());
        for (const [name, binding] of Object.entries(spec.env)) {
          const value = vars[name];
          if ('table' in binding) expect(value).toEqual({ Ref: tableIds.get(binding.table) });
          else if ('topic' in binding) expect(value).toEqual({ Ref: topicIds.get(binding.topic) });
          else if ('stateMachine' in binding)
            expect(JSON.stringify(value)).toContain(`:stateMachine:${s.stack.stackName}-${binding.stateMachine}`);
          else if ('graphqlUrl' in binding) expect(value).toEqual({ 'Fn::GetAtt': [apiId, 'GraphQLUrl'] });
          else if ('ssmParameter' in binding) expect(value).toBe(binding.ssmParameter);
          // Store queues are named like the manifest's: `<stack>-<prefix><storeId>`.
          else if ('queuePrefix' in binding) expect(value).toBe(`${s.stack.stackName}-${binding.queuePrefix}`);
          else if ('userPool' in binding) expect(value).toEqual({ Ref: logicalId(s.stack.identity.userPool) });
          else expect(value).toBe(binding.value);
        }
      }
    });

    it('grants each binding its access, and nothing the manifest does not say', () => {
      const roleOf = (name: string) => logicalId(s.stack.functions.get(name)!.role!);
      const place = policyStatementsOf(roleOf('placeOrder'));
      const ordersId = logicalId(s.stack.tables.get('Orders')!);
      const storesId = logicalId(s.stack.tables.get('Stores')!);
      expect(place).toContainEqual(
        expect.objectContaining({
          Action: [...TABLE_ACTIONS.readWrite],
          // The table and each index by name (byStore, byCustomer, byStatus), never `index/*`.
          Resource: [
            { 'Fn::GetAtt': [ordersId, 'Arn'] },
            ...['byStore', 'byCustomer', 'byStatus'].map((index) => ({
              'Fn::Join': ['', [{ 'Fn::GetAtt': [ordersId, 'Arn'] }, `/index/${index}`]],
            })),
          ],
        }),
      );
      expect(place).toContainEqual(
        expect.objectContaining({ Action: [...TABLE_ACTIONS.read], Resource: { 'Fn::GetAtt': [storesId, 'Arn'] } }),
      );
      // Placing writes the order only: the workflow starts from the stream (startWorkflow).
      expect(place.some((st) => actionsOf(st).some((a) => a.startsWith('states:')))).toBe(false);

      const start = policyStatementsOf(roleOf('startWorkflow'));
      expect(start.filter((st) => actionsOf(st).some((a) => a.startsWith('states:')))).toEqual([
        expect.objectContaining({ Action: 'states:StartExecution' }),
      ]);
      expect(JSON.stringify(start.find((st) => actionsOf(st).includes('states:StartExecution'))?.Resource)).toContain(
        `:stateMachine:${s.stack.stackName}-OrderWorkflow`,
      );
      // It reads the stream and nothing else of DynamoDB: the INSERT's image carries what it needs.
      expect(
        start
          .flatMap(actionsOf)
          .filter((a) => a.startsWith('dynamodb:'))
          .sort(),
      ).toEqual(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams']);

      const decide = policyStatementsOf(roleOf('decideOrder'));
      expect(decide).toContainEqual(expect.objectContaining({ Action: [...TASK_RESPONSE_ACTIONS] }));
      expect(
        decide
          .flatMap(actionsOf)
          .filter((a) => a.startsWith('dynamodb:'))
          .sort(),
      ).toEqual([...TABLE_ACTIONS.readWrite].sort());

      // The delivery wait routes with the key from SSM, reads store coordinates, and resumes the
      // workflow when the order has already moved on.
      const delivery = policyStatementsOf(roleOf('awaitDelivery'));
      expect(delivery).toContainEqual(expect.objectContaining({ Action: [...TASK_RESPONSE_ACTIONS] }));
      expect(delivery).toContainEqual(
        expect.objectContaining({ Action: [...TABLE_ACTIONS.read], Resource: { 'Fn::GetAtt': [storesId, 'Arn'] } }),
      );
      const getParameter = delivery.find((st) => actionsOf(st).includes('ssm:GetParameter'));
      expect(JSON.stringify(getParameter?.Resource)).toContain(`:parameter${ORS_API_KEY_PARAMETER}`);
      const decrypt = delivery.find((st) => actionsOf(st).includes('kms:Decrypt'));
      expect(JSON.stringify(decrypt?.Condition)).toContain('kms:ViaService');
      expect(JSON.stringify(decrypt?.Condition)).toContain('kms:EncryptionContext:PARAMETER_ARN');

      // Onboarding: subscribe (not publish) to StoreAlerts, create and configure queues under the
      // store prefix only, and manage the pool's groups; it reads and writes the Stores table alone.
      const manage = policyStatementsOf(roleOf('manageStores'));
      expect(manage).toContainEqual(
        expect.objectContaining({ Action: 'sns:Subscribe', Resource: { Ref: logicalId(s.stack.topics.get('StoreAlerts')!) } }),
      );
      expect(manage.some((st) => actionsOf(st).includes('sns:Publish'))).toBe(false);
      const queueGrant = manage.find((st) => actionsOf(st).includes('sqs:CreateQueue'));
      expect(actionsOf(queueGrant!).sort()).toEqual([...QUEUE_PREFIX_ACTIONS].sort());
      expect(JSON.stringify(queueGrant?.Resource)).toContain(`:${s.stack.stackName}-store-*`);
      expect(manage.flatMap(actionsOf).filter((a) => a.startsWith('sqs:'))).toEqual([...QUEUE_PREFIX_ACTIONS]);
      expect(manage).toContainEqual(
        expect.objectContaining({
          Action: [...USER_POOL_GROUP_ADMIN_ACTIONS],
          Resource: { 'Fn::GetAtt': [logicalId(s.stack.identity.userPool), 'Arn'] },
        }),
      );
      expect(
        manage.flatMap((st) => (actionsOf(st).some((a) => a.startsWith('dynamodb:')) ? resourcesOf(st) : [])).map((r) => JSON.stringify(r)),
      ).toEqual([JSON.stringify({ 'Fn::GetAtt': [storesId, 'Arn'] })]);

      const publish = policyStatementsOf(roleOf('publishOrderUpdate'));
      const graphql = publish.filter((st) => actionsOf(st).includes('appsync:GraphQL'));
      expect(graphql).toHaveLength(1);
      expect(JSON.stringify(graphql[0]?.Resource)).toContain('/types/Mutation/fields/publishOrderUpdate');
      expect(
        publish.some((st) =>
          actionsOf(st).some(
            (a) =>
              a.startsWith('dynamodb:') &&
              a !== 'dynamodb:ListStreams' &&
              !a.startsWith('dynamodb:GetRecords') &&
              !['dynamodb:DescribeStream', 'dynamodb:GetShardIterator'].includes(a),
          ),
        ),
      ).toBe(false);
    });
  });

  describe('workflow', () => {
    const [spec] = manifest.stateMachines;

    it('deploys the ASL file unchanged, with the manifest substitutions pointing at stack resources', () => {
      const [[, sm] = ['', undefined]] = resourcesOfType('AWS::StepFunctions::StateMachine');
      const props = sm?.Properties ?? {};
      expect(props.DefinitionString).toBe(readFileSync(join(REPO_ROOT, spec!.definitionFile), 'utf8'));
      const subs = props.DefinitionSubstitutions as Record<string, unknown>;
      expect(Object.keys(subs).sort()).toEqual(Object.keys(spec!.substitutions).sort());
      for (const [placeholder, target] of Object.entries(spec!.substitutions)) {
        const expected =
          'function' in target
            ? { 'Fn::GetAtt': [logicalId(s.stack.functions.get(target.function)!), 'Arn'] }
            : 'table' in target
              ? { Ref: logicalId(s.stack.tables.get(target.table)!) }
              : { Ref: logicalId(s.stack.topics.get(target.topic)!) };
        expect(subs[placeholder], placeholder).toEqual(expected);
      }
      for (const id of referencedIds(subs)) expect(s.json.Resources, id).toHaveProperty(id);
      expect(props.StateMachineType).toBe('STANDARD');
      expect(props.TracingConfiguration).toEqual({ Enabled: true });
      expect(props.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    });

    it('lets the workflow role invoke its two functions and update/get the orders table, nothing more', () => {
      const sm = s.stack.stateMachines.get(spec!.name)!;
      const statements = policyStatementsOf(logicalId(sm.role)).filter((st) => resourcesOf(st).some((r) => r !== '*'));
      const ordersId = logicalId(s.stack.tables.get('Orders')!);
      expect(statements).toEqual([
        expect.objectContaining({
          Action: 'lambda:InvokeFunction',
          Resource: { 'Fn::GetAtt': [logicalId(s.stack.functions.get('awaitParty')!), 'Arn'] },
        }),
        expect.objectContaining({ Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: { 'Fn::GetAtt': [ordersId, 'Arn'] } }),
        expect.objectContaining({
          Action: 'lambda:InvokeFunction',
          Resource: { 'Fn::GetAtt': [logicalId(s.stack.functions.get('awaitDelivery')!), 'Arn'] },
        }),
      ]);
    });
  });

  describe('tables', () => {
    it('streams the orders table (new and old images) and keeps point-in-time recovery on every table', () => {
      const orders = s.json.Resources[logicalId(s.stack.tables.get('Orders')!)];
      expect(orders?.Properties?.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
      for (const [, table] of resourcesOfType('AWS::DynamoDB::Table')) {
        expect(table.Properties?.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
        expect(table.Properties?.BillingMode).toBe('PAY_PER_REQUEST');
        expect(table.DeletionPolicy).toBe('Delete');
      }
      const idem = s.json.Resources[logicalId(s.stack.tables.get('IdempotencyKeys')!)];
      expect(idem?.Properties?.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    });

    it("gives the orders table the manifest's indexes (byStore, byCustomer, byStatus), projecting every attribute", () => {
      const spec = manifest.tables.find((t) => t.name === 'Orders');
      const orders = s.json.Resources[logicalId(s.stack.tables.get('Orders')!)]?.Properties;
      const indexes = orders?.GlobalSecondaryIndexes as { IndexName: string; KeySchema: unknown; Projection: unknown }[];
      expect(indexes.map((i) => i.IndexName)).toEqual(['byStore', 'byCustomer', 'byStatus']);
      for (const gsi of spec?.globalSecondaryIndexes ?? []) {
        expect(indexes.find((i) => i.IndexName === gsi.name)).toEqual({
          IndexName: gsi.name,
          KeySchema: [
            { AttributeName: gsi.partitionKey.name, KeyType: 'HASH' },
            ...(gsi.sortKey === undefined ? [] : [{ AttributeName: gsi.sortKey.name, KeyType: 'RANGE' }]),
          ],
          Projection: { ProjectionType: 'ALL' },
        });
      }
    });

    it('lets the OrdersTable data source (getOrder, ordersByStore, myOrders, ordersForPickup) read the table and its indexes, and write nothing', () => {
      const resolved = manifest.resolvers.filter((r) => r.dataSource === 'OrdersTable').map((r) => r.fieldName);
      expect(resolved.sort()).toEqual(['getOrder', 'myOrders', 'ordersByStore', 'ordersForPickup']);
      const [, ds] = resourcesOfType('AWS::AppSync::DataSource').find(([, d]) => d.Properties?.Name === 'OrdersTable') ?? [];
      const [roleId] = referencedIds(ds?.Properties?.ServiceRoleArn);
      const ordersId = logicalId(s.stack.tables.get('Orders')!);
      const statements = policyStatementsOf(roleId ?? 'no role');
      expect(statements.flatMap(actionsOf).every((a) => /^dynamodb:(BatchGet|Get|Query|Scan|ConditionCheck|DescribeTable)/.test(a))).toBe(
        true,
      );
      const queried = statements.find((st) => actionsOf(st).includes('dynamodb:Query'));
      // `index/*`: the table's own indexes, the new byCustomer and byStatus included (acknowledged for cdk-nag).
      expect(resourcesOf(queried!)).toEqual([
        { 'Fn::GetAtt': [ordersId, 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ordersId, 'Arn'] }, '/index/*']] },
      ]);
    });
  });

  describe('messaging', () => {
    it('encrypts every topic and requires TLS to publish', () => {
      // The alarm topic has a key of its own (see 'alarms').
      const alarmTopic = logicalId(s.stack.monitoring.alarmTopic);
      for (const [, topic] of resourcesOfType('AWS::SNS::Topic').filter(([id]) => id !== alarmTopic))
        expect(JSON.stringify(topic.Properties?.KmsMasterKeyId)).toContain('alias/aws/sns');
      const policies = resourcesOfType('AWS::SNS::TopicPolicy');
      expect(policies).toHaveLength(manifest.topics.length + 1);
      for (const [, p] of policies) expect(JSON.stringify(p.Properties?.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    });

    it('subscribes each queue to its topic with raw delivery and the manifest filter, with a dead-letter queue', () => {
      for (const spec of manifest.queues) {
        const { queue, dlq } = s.stack.queues.get(spec.name)!;
        const [, sub] =
          resourcesOfType('AWS::SNS::Subscription').find(([, r]) => JSON.stringify(r.Properties?.Endpoint).includes(logicalId(queue))) ??
          [];
        expect(sub?.Properties).toMatchObject({
          Protocol: 'sqs',
          RawMessageDelivery: true,
          TopicArn: { Ref: logicalId(s.stack.topics.get(spec.topic)!) },
        });
        if (spec.filterPolicy === undefined) expect(sub?.Properties?.FilterPolicy).toBeUndefined();
        else expect(sub?.Properties?.FilterPolicy).toEqual(spec.filterPolicy);
        const q = s.json.Resources[logicalId(queue)]?.Properties;
        expect(q?.RedrivePolicy).toEqual({
          deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(dlq), 'Arn'] },
          maxReceiveCount: spec.maxReceiveCount ?? 5,
        });
        expect(q?.QueueName).toBe(`${s.stack.stackName}-${spec.name}`);
        expect(s.json.Resources[logicalId(dlq)]?.Properties?.QueueName).toBe(`${s.stack.stackName}-${spec.name}-dlq`);
      }
      for (const [, q] of resourcesOfType('AWS::SQS::Queue')) expect(q.Properties?.SqsManagedSseEnabled).toBe(true);
      const queuePolicies = resourcesOfType('AWS::SQS::QueuePolicy');
      expect(queuePolicies).toHaveLength(resourcesOfType('AWS::SQS::Queue').length);
      for (const [, p] of queuePolicies) expect(JSON.stringify(p.Properties?.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    });

    const mappingOf = (fn: string) =>
      resourcesOfType('AWS::Lambda::EventSourceMapping').find(
        ([, m]) => JSON.stringify(m.Properties?.FunctionName) === JSON.stringify({ Ref: logicalId(s.stack.functions.get(fn)!) }),
      )?.[1].Properties;

    it('maps the orders stream to the publisher with bisect, bounded retries, parallel batches, partial batches and an on-failure queue', () => {
      const spec = manifest.streams.find((m) => m.function === 'publishOrderUpdate');
      expect(resourcesOfType('AWS::Lambda::EventSourceMapping')).toHaveLength(manifest.streams.length);
      const props = mappingOf('publishOrderUpdate');
      expect(props?.FilterCriteria).toBeUndefined();
      expect(props).toMatchObject({
        EventSourceArn: { 'Fn::GetAtt': [logicalId(s.stack.tables.get(spec!.table)!), 'StreamArn'] },
        FunctionName: { Ref: logicalId(s.stack.functions.get(spec!.function)!) },
        BatchSize: spec!.batchSize,
        MaximumRetryAttempts: spec!.maxRetries,
        ParallelizationFactor: spec!.parallelizationFactor,
        MaximumBatchingWindowInSeconds: spec!.maxBatchingWindowSeconds,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        StartingPosition: 'LATEST',
      });
      const destination = [...referencedIds((props?.DestinationConfig as { OnFailure: unknown }).OnFailure)];
      expect(s.json.Resources[destination[0] ?? '']?.Type).toBe('AWS::SQS::Queue');
      // The plan's failure-queue name, which the local stack gives its queue too.
      const failureQueue = streamFailureQueueName(spec!.function);
      expect(failureQueue).toBe('publishOrderUpdate-stream-failures');
      expect(s.json.Outputs?.[outputKey('DlqUrl', failureQueue)]?.Value).toEqual({ Ref: destination[0] });
    });

    it('maps the orders stream to startWorkflow filtered to INSERTs, with partial batches, many retries and its own on-failure queue', () => {
      const spec = manifest.streams.find((m) => m.function === 'startWorkflow');
      const props = mappingOf('startWorkflow');
      expect(props).toMatchObject({
        EventSourceArn: { 'Fn::GetAtt': [logicalId(s.stack.tables.get('Orders')!), 'StreamArn'] },
        BatchSize: spec!.batchSize,
        MaximumRetryAttempts: spec!.maxRetries,
        ParallelizationFactor: spec!.parallelizationFactor,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        // Lambda event filtering: only new orders reach the function.
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'] }) }] },
      });
      expect(spec!.maxRetries).toBeGreaterThanOrEqual(100);
      const destination = [...referencedIds((props?.DestinationConfig as { OnFailure: unknown }).OnFailure)];
      const failureQueue = streamFailureQueueName('startWorkflow');
      expect(s.json.Outputs?.[outputKey('DlqUrl', failureQueue)]?.Value).toEqual({ Ref: destination[0] });
      expect(destination[0]).not.toEqual(
        [...referencedIds((mappingOf('publishOrderUpdate')?.DestinationConfig as { OnFailure: unknown }).OnFailure)][0],
      );
      // The function may send to its on-failure queue only through the mapping (Lambda's role).
      const start = policyStatementsOf(logicalId(s.stack.functions.get('startWorkflow')!.role!));
      expect(JSON.stringify(start.find((st) => actionsOf(st).includes('sqs:SendMessage'))?.Resource)).toContain(destination[0]);
    });
  });

  describe('IAM', () => {
    it('grants no wildcard action, and "*" resources only for actions without resource-level permissions', () => {
      const statements = resourcesOfType('AWS::IAM::Policy').flatMap(
        ([, p]) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement,
      );
      expect(statements.length).toBeGreaterThan(10);
      for (const st of statements) {
        for (const action of actionsOf(st)) expect(action).not.toContain('*');
        if (resourcesOf(st).includes('*')) expect(actionsOf(st).filter((a) => !STAR_RESOURCE_ACTIONS.has(a))).toEqual([]);
      }
      for (const [, role] of resourcesOfType('AWS::IAM::Role')) expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    });

    it('lets only the publisher call the API with IAM, and only Mutation.publishOrderUpdate', () => {
      const publisher = logicalId(s.stack.functions.get('publishOrderUpdate')!.role!);
      const apiId = logicalId(s.stack.api);
      const appsyncGrants = resourcesOfType('AWS::IAM::Policy').flatMap(([, p]) =>
        (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement.filter((st) =>
          actionsOf(st).some((a) => a.startsWith('appsync:')),
        ).map((st) => ({ roles: p.Properties?.Roles, statement: st })),
      );
      expect(appsyncGrants).toEqual([
        {
          roles: [{ Ref: publisher }],
          statement: {
            Effect: 'Allow',
            Action: 'appsync:GraphQL',
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':appsync:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':apis/',
                  { 'Fn::GetAtt': [apiId, 'ApiId'] },
                  '/types/Mutation/fields/publishOrderUpdate',
                ],
              ],
            },
          },
        },
      ]);
      // Nor through a role's inline policies.
      for (const [, role] of resourcesOfType('AWS::IAM::Role'))
        expect(JSON.stringify(role.Properties?.Policies ?? [])).not.toContain('appsync:');
    });
  });

  describe('identity', () => {
    const poolId = () => resourcesOfType('AWS::Cognito::UserPool')[0]?.[0] ?? 'no user pool';

    it('has one user pool: self sign-up, the email as username verified by a code, the strong password policy', () => {
      s.template.resourceCountIs('AWS::Cognito::UserPool', 1);
      s.template.hasResourceProperties('AWS::Cognito::UserPool', {
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        UsernameConfiguration: { CaseSensitive: false },
        VerificationMessageTemplate: Match.objectLike({ DefaultEmailOption: 'CONFIRM_WITH_CODE' }),
        Policies: {
          PasswordPolicy: Match.objectLike({
            MinimumLength: 8,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          }),
        },
        MfaConfiguration: 'OPTIONAL',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      });
    });

    it("runs the manifest's postConfirmation function as the PostConfirmation trigger, which may only add users to groups", () => {
      const trigger = s.stack.functions.get('postConfirmation')!;
      const functionId = logicalId(trigger);
      // The pool names the function; Cognito may invoke it for this pool only.
      expect(resourcesOfType('AWS::Cognito::UserPool')[0]?.[1].Properties?.LambdaConfig).toEqual({
        PostConfirmation: { 'Fn::GetAtt': [functionId, 'Arn'] },
      });
      s.template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
        Principal: 'cognito-idp.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [poolId(), 'Arn'] },
      });
      // Its grant: AdminAddUserToGroup alone, on the account's pools (naming this pool would be a cycle).
      const statements = policyStatementsOf(logicalId(trigger.role!)).filter((st) =>
        actionsOf(st).some((a) => a.startsWith('cognito-idp:')),
      );
      expect(statements).toEqual([
        expect.objectContaining({
          Action: 'cognito-idp:AdminAddUserToGroup',
          Resource: {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':cognito-idp:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':userpool/*'],
            ],
          },
        }),
      ]);
      // The wildcard is acknowledged for this function alone, with its reason.
      const poolAcks = s.stack.nagAcknowledgements.filter((a) => a.id.includes(':cognito-idp:'));
      expect(poolAcks).toEqual([
        expect.objectContaining({
          path: trigger.role!.node.path,
          id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cognito-idp:<AWS::Region>:<AWS::AccountId>:userpool/*]',
        }),
      ]);
      expect(poolAcks[0]?.reason).toContain('circular dependency');
    });

    it('removes the pool with the stack as it does the tables, and keeps a retained one with deletion protection', () => {
      const [, ordersTable] = resourcesOfType('AWS::DynamoDB::Table')[0] ?? [];
      expect(resourcesOfType('AWS::Cognito::UserPool')[0]?.[1].DeletionPolicy).toBe(ordersTable?.DeletionPolicy);
      // The construct alone (a second full synthesis would bundle every function again).
      const stack = new Stack(new App(), 'Retained');
      new Identity(stack, 'Identity', { removalPolicy: RemovalPolicy.RETAIN });
      const retained = Template.fromStack(stack);
      retained.hasResource('AWS::Cognito::UserPool', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({ DeletionProtection: 'ACTIVE' }),
      });
    });

    it('has the role groups of domain/party.ts, operators first, and a staff group per seeded store', () => {
      const groups = resourcesOfType('AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties ?? {});
      expect(groups.map((g) => g.GroupName).sort()).toEqual(
        [...Object.values(ROLE_GROUPS), ...SEED_STORES.map((store) => storeGroup(store.storeId))].sort(),
      );
      expect(groups.map((g) => g.GroupName)).toContain('store:ouudJiBWJd0HQUafMVLvX');
      for (const g of groups) expect(g.UserPoolId).toEqual({ Ref: poolId() });
      const precedence = Object.fromEntries(groups.map((g) => [String(g.GroupName), Number(g.Precedence)]));
      expect(precedence[ROLE_GROUPS.operator]).toBeLessThan(precedence[ROLE_GROUPS.store] ?? 0);
      expect(precedence[ROLE_GROUPS.store]).toBeLessThan(precedence[ROLE_GROUPS.driver] ?? 0);
      expect(precedence[ROLE_GROUPS.driver]).toBeLessThan(precedence[ROLE_GROUPS.customer] ?? 0);
    });

    it('has one app client for web and mobile: SRP and refresh only, no secret, no user-existence errors', () => {
      s.template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
      s.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        UserPoolId: { Ref: poolId() },
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        GenerateSecret: false,
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
      });
    });

    it("makes the pool's tokens from its app client the API's default credential", () => {
      const [clientId] = resourcesOfType('AWS::Cognito::UserPoolClient').map(([id]) => id);
      const [, api] = resourcesOfType('AWS::AppSync::GraphQLApi')[0] ?? [];
      expect(api?.Properties?.AuthenticationType).toBe('AMAZON_COGNITO_USER_POOLS');
      const userPool = api?.Properties?.UserPoolConfig;
      expect(userPool).toMatchObject({ UserPoolId: { Ref: poolId() }, AwsRegion: { Ref: 'AWS::Region' } });
      expect(referencedIds(userPool)).toContain(clientId);
      // The pool is the default mode only: no additional provider accepts its tokens under other rules.
      const providers = api?.Properties?.AdditionalAuthenticationProviders as { AuthenticationType: string }[];
      expect(providers.map((p) => p.AuthenticationType)).not.toContain('AMAZON_COGNITO_USER_POOLS');
    });

    it('exports the pool and client ids for amplify-config', () => {
      const [clientId] = resourcesOfType('AWS::Cognito::UserPoolClient').map(([id]) => id);
      expect(s.json.Outputs?.[OUTPUT.userPoolId]?.Value).toEqual({ Ref: poolId() });
      expect(s.json.Outputs?.[OUTPUT.userPoolClientId]?.Value).toEqual({ Ref: clientId });
    });
  });

  describe('cdk-nag', () => {
    it('finds nothing in the AwsSolutions pack beyond the acknowledged findings, each with a reason', () => {
      const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(s.app);
      expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.resourceLogicalId ?? '').join(',')}`)).toEqual(
        [],
      );
      expect(s.stack.nagAcknowledgements.length).toBeGreaterThan(0);
      for (const a of s.stack.nagAcknowledgements) expect(a.reason.length, a.id).toBeGreaterThan(40);
      const annotations = Annotations.fromStack(s.stack);
      expect(annotations.findError('*', Match.anyValue())).toEqual([]);
      expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    });

    it('accepts the store-queue wildcard for manageStores alone: queues named <stack>-store-*, with its reason', () => {
      const queueAcks = s.stack.nagAcknowledgements.filter((a) => a.id.includes(':sqs:'));
      expect(queueAcks).toEqual([
        expect.objectContaining({
          path: s.stack.functions.get('manageStores')!.role!.node.path,
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sqs:<AWS::Region>:<AWS::AccountId>:${s.stack.stackName}-store-*]`,
        }),
      ]);
      expect(queueAcks[0]?.reason).toContain('no deploy');
    });

    it('reports a finding that nobody acknowledged', () => {
      // A wildcard added after the fact must surface: acknowledgements name exact findings.
      s.stack.functions.get('decideOrder')!.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:*'], resources: ['*'] }));
      const report = new AwsSolutionsChecks(undefined, {}).validateScope(s.app);
      expect(report.violations.map((v) => v.ruleName)).toContain('AwsSolutions-IAM5[Action::dynamodb:*]');
    });
  });

  describe('outputs', () => {
    it('exports the API, region, tables, queues and workflow for the scripts and clients', () => {
      const keys = Object.keys(s.json.Outputs ?? {});
      for (const key of [OUTPUT.graphqlUrl, OUTPUT.realtimeUrl, OUTPUT.apiKey, OUTPUT.region]) expect(keys).toContain(key);
      for (const t of manifest.tables) expect(keys).toContain(outputKey('TableName', t.name));
      for (const q of manifest.queues)
        expect(keys).toEqual(expect.arrayContaining([outputKey('QueueUrl', q.name), outputKey('DlqUrl', q.name)]));
      for (const sm of manifest.stateMachines) expect(keys).toContain(outputKey('StateMachineArn', sm.name));
      // Store queues are created at onboarding; `npm run seed` and store systems find them by this prefix.
      expect(s.json.Outputs?.[OUTPUT.storeQueuePrefix]?.Value).toBe(`${s.stack.stackName}-store-`);
      expect(JSON.stringify(s.json.Outputs?.[OUTPUT.realtimeUrl]?.Value)).toContain('appsync-realtime-api');
    });
  });
});

/** `Fn::Join` of strings and tokens → the string, each token as `<token>` (enough to parse a dashboard body). */
function joined(value: unknown): string {
  if (typeof value === 'string') return value;
  const join: unknown = typeof value === 'object' && value !== null ? Reflect.get(value, 'Fn::Join') : undefined;
  if (!Array.isArray(join) || !Array.isArray(join[1])) throw new Error(`not an Fn::Join: ${JSON.stringify(value)}`);
  return join[1].map((part: unknown) => (typeof part === 'string' ? part : '<token>')).join(String(join[0]));
}

describe('ServerlessPizzaStack monitoring', () => {
  type AlarmProps = Record<string, unknown> & { AlarmName: string; Dimensions?: { Name: string; Value: unknown }[] };
  const alarms = () => resourcesOfType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as AlarmProps);
  const topicRef = () => ({ Ref: logicalId(s.stack.monitoring.alarmTopic) });
  const alarmOn = (namespace: string, metricName: string, dimension: { Name: string; Value: unknown }) =>
    alarms().filter(
      (a) => a.Namespace === namespace && a.MetricName === metricName && JSON.stringify(a.Dimensions) === JSON.stringify([dimension]),
    );
  /** The alarm's rule as the template states it. */
  const ruleOf = (kind: AlarmKind) => {
    const rule = ALARM_RULES[kind];
    return {
      Statistic: rule.statistic,
      Period: rule.period.toSeconds(),
      Threshold: rule.threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: rule.evaluationPeriods,
      DatapointsToAlarm: rule.datapointsToAlarm,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef()],
      OKActions: [topicRef()],
    };
  };

  describe('alarms', () => {
    it('alarms on every dead-letter queue and redrive target of the template, the stream on-failure queues included', () => {
      // Found in the template, independently of the construct's own search.
      const targets = new Set<string>();
      for (const [, r] of resourcesOfType('AWS::SQS::Queue')) referencedIds(r.Properties?.RedrivePolicy, targets);
      for (const [, r] of resourcesOfType('AWS::SNS::Subscription')) referencedIds(r.Properties?.RedrivePolicy, targets);
      for (const [, r] of resourcesOfType('AWS::Lambda::Function')) referencedIds(r.Properties?.DeadLetterConfig, targets);
      for (const type of ['AWS::Lambda::EventSourceMapping', 'AWS::Lambda::EventInvokeConfig'])
        for (const [, r] of resourcesOfType(type)) referencedIds(r.Properties?.DestinationConfig, targets);
      const failureQueues = manifest.streams.map((m) => s.json.Outputs?.[outputKey('DlqUrl', streamFailureQueueName(m.function))]?.Value);
      expect(failureQueues).toHaveLength(2);
      for (const ref of failureQueues) expect(targets).toContain((ref as { Ref: string }).Ref);
      expect(targets.size).toBe(manifest.queues.length + manifest.streams.length);
      expect(s.stack.monitoring.deadLetterQueues.map(logicalId).sort()).toEqual([...targets].sort());
      for (const id of targets) {
        expect(s.json.Resources[id]?.Type).toBe('AWS::SQS::Queue');
        const found = alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [id, 'QueueName'] },
        });
        expect(found, id).toEqual([expect.objectContaining(ruleOf('dlq-not-empty'))]);
      }
    });

    it("alarms on the stores' one dead-letter queue by name: the queue every store onboarded at run time redrives into", () => {
      // The name onboarding gives it (functions/lib/stores.ts), under the prefix the stack hands to
      // onboarding and store systems: the alarm watches stores that do not exist yet.
      const prefix = s.json.Outputs?.[OUTPUT.storeQueuePrefix]?.Value;
      expect(prefix).toBe(`${s.stack.stackName}-store-`);
      const queueName = storeDeadLetterQueueName(String(prefix));
      expect(queueName).toBe(`${s.stack.stackName}-store-dlq`);
      const found = alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { Name: 'QueueName', Value: queueName });
      expect(found).toEqual([
        expect.objectContaining({
          ...ruleOf('store-dlq-not-empty'),
          AlarmName: `${s.stack.stackName}-store-dlq-not-empty-StoreDlq`,
          AlarmDescription: expect.stringMatching(/infra\/README\.md#alarm-store-dead-letter-queue-not-empty$/),
        }),
      ]);
      // The same rule as the stack's own dead-letter queues: one message is enough, and it stays on until drained.
      expect(ruleOf('store-dlq-not-empty')).toEqual(ruleOf('dlq-not-empty'));
      // Not in CloudFormation: created at onboarding, so `cdk destroy` cannot delete a queue holding alerts.
      expect(resourcesOfType('AWS::SQS::Queue').map(([, q]) => q.Properties?.QueueName)).not.toContain(queueName);
      expect(s.stack.monitoring.storeDeadLetterQueues.map((q) => q.queueName)).toEqual([queueName]);
    });

    it('alarms on failed and on timed-out executions of the order workflow (an overdue delivery fails its execution)', () => {
      const asl = readFileSync(join(REPO_ROOT, 'workflow/order.asl.json'), 'utf8');
      expect(asl).toContain('"Error": "Order.DeliveryOverdue"');
      for (const sm of manifest.stateMachines) {
        const dimension = { Name: 'StateMachineArn', Value: { Ref: logicalId(s.stack.stateMachines.get(sm.name)!) } };
        expect(alarmOn('AWS/States', 'ExecutionsFailed', dimension)).toEqual([expect.objectContaining(ruleOf('workflow-failed'))]);
        expect(alarmOn('AWS/States', 'ExecutionsTimedOut', dimension)).toEqual([expect.objectContaining(ruleOf('workflow-timed-out'))]);
      }
    });

    it("alarms on each stream consumer's iterator age: over a minute behind for five minutes", () => {
      const consumers = [...new Set(manifest.streams.map((m) => m.function))];
      expect(consumers.sort()).toEqual(['publishOrderUpdate', 'startWorkflow']);
      expect([...s.stack.monitoring.streamConsumers.keys()].sort()).toEqual(consumers);
      expect(ruleOf('stream-iterator-age')).toMatchObject({ Statistic: 'Maximum', Period: 60, Threshold: 60_000, EvaluationPeriods: 5 });
      for (const name of consumers) {
        const dimension = { Name: 'FunctionName', Value: { Ref: logicalId(s.stack.functions.get(name)!) } };
        expect(alarmOn('AWS/Lambda', 'IteratorAge', dimension), name).toEqual([expect.objectContaining(ruleOf('stream-iterator-age'))]);
      }
      expect(alarms().filter((a) => a.MetricName === 'IteratorAge')).toHaveLength(consumers.length);
    });

    it('alarms on AppSync 5XX errors of the API', () => {
      const dimension = { Name: 'GraphQLAPIId', Value: { 'Fn::GetAtt': [logicalId(s.stack.api), 'ApiId'] } };
      expect(alarmOn('AWS/AppSync', '5XXError', dimension)).toEqual([expect.objectContaining(ruleOf('api-5xx'))]);
    });

    it('alarms on the errors and the throttles of every function', () => {
      for (const spec of manifest.functions) {
        const dimension = { Name: 'FunctionName', Value: { Ref: logicalId(s.stack.functions.get(spec.name)!) } };
        expect(alarmOn('AWS/Lambda', 'Errors', dimension), spec.name).toEqual([expect.objectContaining(ruleOf('lambda-errors'))]);
        expect(alarmOn('AWS/Lambda', 'Throttles', dimension), spec.name).toEqual([expect.objectContaining(ruleOf('lambda-throttles'))]);
      }
    });

    it('has no other alarm; each is named after the stack, notifies the alarm topic and links a runbook of infra/README.md', () => {
      const expected =
        manifest.queues.length + manifest.streams.length + 1 + 2 * manifest.stateMachines.length + 2 + 1 + 2 * manifest.functions.length;
      expect(alarms()).toHaveLength(expected);
      const readme = readFileSync(join(REPO_ROOT, 'infra/README.md'), 'utf8');
      // GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
      const anchors = new Set(
        [...readme.matchAll(/^#{2,4} (.+)$/gm)].map(([, h]) =>
          (h ?? '')
            .toLowerCase()
            .replace(/[^a-z0-9 -]/g, '')
            .replace(/ /g, '-'),
        ),
      );
      const names = new Set<string>();
      for (const a of alarms()) {
        expect(a.AlarmName.startsWith(`${s.stack.stackName}-`), a.AlarmName).toBe(true);
        names.add(a.AlarmName);
        expect(a.AlarmActions).toEqual([topicRef()]);
        expect(a.OKActions).toEqual([topicRef()]);
        const [, anchor] = /infra\/README\.md#([a-z0-9-]+)$/.exec(String(a.AlarmDescription)) ?? [];
        expect(anchors, a.AlarmName).toContain(anchor);
      }
      expect(names.size).toBe(expected);
    });

    it("sends alarms to one topic under a rotated key of its own that only this stack's alarms may use, TLS only, with no subscriber by default", () => {
      const topicId = logicalId(s.stack.monitoring.alarmTopic);
      const [keyId] = referencedIds(s.json.Resources[topicId]?.Properties?.KmsMasterKeyId);
      const key = s.json.Resources[keyId ?? 'no key'];
      expect(key?.Type).toBe('AWS::KMS::Key');
      expect(key?.Properties?.EnableKeyRotation).toBe(true);
      const fromOwnAlarms = {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: {
          'aws:SourceArn': expect.objectContaining({ 'Fn::Join': ['', expect.arrayContaining([`:alarm:${s.stack.stackName}-*`])] }),
        },
      };
      expect((key?.Properties?.KeyPolicy as { Statement: Statement[] }).Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Condition: fromOwnAlarms,
        }),
      );
      const [, policy] =
        resourcesOfType('AWS::SNS::TopicPolicy').find(
          ([, p]) => JSON.stringify(p.Properties?.Topics) === JSON.stringify([{ Ref: topicId }]),
        ) ?? [];
      const statements = (policy?.Properties?.PolicyDocument as { Statement: Statement[] }).Statement;
      expect(JSON.stringify(statements)).toContain('"aws:SecureTransport":"false"');
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Condition: fromOwnAlarms,
        }),
      );
      // No alarmEmail in the test context: no subscriber, and the deploy output says so.
      expect(resourcesOfType('AWS::SNS::Subscription').filter(([, r]) => JSON.stringify(r.Properties?.TopicArn).includes(topicId))).toEqual(
        [],
      );
      expect(String(s.json.Outputs?.[OUTPUT.alarmSubscriber]?.Value)).toMatch(/^none: .*-c alarmEmail=/);
      expect(s.json.Outputs?.[OUTPUT.alarmTopicArn]?.Value).toEqual({ Ref: topicId });
    });

    it('subscribes the alarmEmail setting, and finds the dead-letter queues of subscriptions and functions too', () => {
      // The construct alone (a second full synthesis would bundle every function again).
      const stack = new Stack(new App(), 'Alone');
      const subscribed = new Queue(stack, 'Subscribed');
      new Topic(stack, 'Topic').addSubscription(new SqsSubscription(subscribed, { deadLetterQueue: new Queue(stack, 'SubscriptionDlq') }));
      new LambdaFunction(stack, 'Async', {
        code: Code.fromInline('export const handler = () => {};'),
        handler: 'index.handler',
        runtime: Runtime.NODEJS_22_X,
        deadLetterQueueEnabled: true,
      });
      new Queue(stack, 'NotADlq');
      const monitoring = new Monitoring(stack, 'Monitoring', {
        config: { stackName: 'Alone', retention: 'destroy', alarmEmail: 'ops@example.com' },
        api: GraphqlApi.fromGraphqlApiAttributes(stack, 'Api', { graphqlApiId: 'api' }),
        functions: new Map(),
        stateMachines: new Map(),
      });
      expect(monitoring.deadLetterQueues.map((q) => q.node.path)).toEqual(['Alone/SubscriptionDlq', 'Alone/Async/DeadLetterQueue']);
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'ops@example.com',
        TopicArn: { Ref: logicalId(monitoring.alarmTopic) },
      });
      expect(template.toJSON().Outputs?.[OUTPUT.alarmSubscriber]?.Value).toBe('ops@example.com');
    });
  });

  describe('dashboard', () => {
    type Widget = { type: string; properties: { title?: string; markdown?: string; metrics?: unknown[][]; alarms?: unknown[] } };
    const widgets = (): Widget[] => {
      const [[, dashboard] = ['', undefined], ...others] = resourcesOfType('AWS::CloudWatch::Dashboard');
      expect(others).toEqual([]);
      expect(dashboard?.Properties?.DashboardName).toBe(s.stack.stackName);
      return (JSON.parse(joined(dashboard?.Properties?.DashboardBody)) as { widgets: Widget[] }).widgets;
    };
    const titled = (title: string) => {
      const found = widgets().find((w) => w.properties.title === title);
      expect(found, title).toBeDefined();
      return JSON.stringify(found?.properties.metrics);
    };

    it('charts the business metrics of domain/metrics.ts: each count, cancellations by reason, decisions, durations', () => {
      const orders = titled('Orders (per 5 minutes)');
      for (const name of ORDER_COUNTS.filter((n) => n !== 'OrderCancelled'))
        expect(orders).toContain(JSON.stringify([METRICS_NAMESPACE, name, 'service', METRICS_SERVICE]).slice(1, -1));
      const byReason = `{${METRICS_NAMESPACE},service,${CANCELLATION_REASON_DIMENSION}} MetricName=\\"OrderCancelled\\" service=\\"${METRICS_SERVICE}\\"`;
      expect(orders).toContain(`SUM(SEARCH('${byReason}'`);
      expect(titled('Orders in the time range')).toContain('OrderPlaced');
      expect(titled('Cancellations by reason')).toContain(`"SEARCH('${byReason}', 'Sum', 300)"`);
      expect(titled('Declined (% of decisions)')).toContain('100 * declined / (accepted + declined)');
      const durations = titled('Time to decision and to delivery (minutes)');
      for (const name of ORDER_DURATIONS)
        for (const stat of ['p50', 'p90']) expect(durations).toMatch(new RegExp(`"${name}",.*"stat":"${stat}"`));
    });

    it('charts the plumbing: executions, iterator age, dead-letter queues, the API and every function', () => {
      const executions = titled('Workflow executions');
      for (const m of ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut'])
        expect(executions).toContain(m);
      const age = titled('Stream iterator age (ms, maximum)');
      for (const name of s.stack.monitoring.streamConsumers.keys()) expect(age).toContain(`"label":"${name}"`);
      const depths = titled('Dead-letter queue depths (messages)');
      expect(depths.match(/ApproximateNumberOfMessagesVisible/g)).toHaveLength(s.stack.monitoring.deadLetterQueues.length + 1);
      expect(depths).toContain(`"QueueName","${s.stack.stackName}-store-dlq",{"label":"StoreDlq"`);
      expect(titled('GraphQL requests and errors')).toMatch(/Latency.*SampleCount.*4XXError.*5XXError/);
      expect(titled('GraphQL latency (ms)')).toContain('"stat":"p90"');
      for (const [title, metric] of [
        ['Lambda errors', 'Errors'],
        ['Lambda throttles', 'Throttles'],
        ['Lambda duration (ms, p90)', 'Duration'],
      ] as const) {
        const chart = titled(title);
        expect(chart.match(new RegExp(`"${metric}"`, 'g')), title).toHaveLength(manifest.functions.length);
        for (const spec of manifest.functions) expect(chart).toContain(`"label":"${spec.name}"`);
      }
    });

    it('shows the state of every alarm, and names the dashboard in the outputs', () => {
      const status = widgets().find((w) => w.type === 'alarm');
      expect(status?.properties.alarms).toHaveLength(alarms().length);
      expect(s.json.Outputs?.[OUTPUT.dashboardName]?.Value).toEqual({ Ref: logicalId(s.stack.monitoring.dashboard) });
    });
  });

  describe('cdk-nag (monitoring)', () => {
    it('needs no acknowledgement for the alarm topic, its key, the alarms or the dashboard', () => {
      const monitoring = new Set(s.stack.monitoring.node.findAll().flatMap((c) => (c instanceof CfnResource ? [logicalId(c)] : [])));
      expect(monitoring.size).toBeGreaterThan(30);
      const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(s.app);
      expect(report.violations.filter((v) => v.violatingResources.some((r) => monitoring.has(r.resourceLogicalId ?? '')))).toEqual([]);
      expect(s.stack.nagAcknowledgements.filter((a) => a.path.includes('/Monitoring/'))).toEqual([]);
    });
  });
});
