import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifest, ORDER_WORKFLOW, ORS_API_KEY_PARAMETER } from './manifest.js';
import {
  DEFAULT_API_AUTH,
  DEFAULT_FUNCTION_TIMEOUT_SECONDS,
  graphqlIamGrants,
  ManifestReferenceError,
  planManifest,
  TABLE_ACTIONS,
  TASK_RESPONSE_ACTIONS,
  type FunctionPlan,
  type ManifestPlan,
} from './manifest-plan.js';
import type { Manifest } from './manifest-types.js';

const schemaSdl = readFileSync(join(import.meta.dirname, '..', manifest.schemaFile), 'utf8');

/** The smallest manifest with one of each part, for the error cases. */
function tinyManifest(overrides: Partial<Manifest> = {}): Manifest {
  return {
    schemaFile: 'schema.graphql',
    tables: [{ name: 'T', partitionKey: { name: 'id', type: 'S' }, stream: 'NEW_IMAGE' }],
    topics: [{ name: 'Alerts' }],
    queues: [{ name: 'q', topic: 'Alerts' }],
    functions: [{ name: 'f', entry: 'functions/f.ts', env: { T_TABLE: { table: 'T', access: 'read' } } }],
    dataSources: [{ name: 'TTable', type: 'AMAZON_DYNAMODB', table: 'T' }],
    resolvers: [{ typeName: 'Query', fieldName: 'x', dataSource: 'TTable', file: 'resolvers/Query.x.ts' }],
    stateMachines: [{ name: 'W', definitionFile: 'w.asl.json', substitutions: { F: { function: 'f' } } }],
    streams: [{ table: 'T', function: 'f' }],
    ssmParameters: [],
    ...overrides,
  };
}

function fn(plan: ManifestPlan, name: string): FunctionPlan {
  const found = plan.functions.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no function ${name} in the plan`);
  return found;
}

describe('planManifest', () => {
  const plan = planManifest(manifest, schemaSdl);

  it('plans every environment variable of every function, in manifest order', () => {
    for (const spec of manifest.functions) {
      expect(
        fn(plan, spec.name).env.map((e) => e.name),
        spec.name,
      ).toEqual(Object.keys(spec.env));
    }
  });

  it('gives a table binding its table name and a grant of its access on the table and its indexes', () => {
    const place = fn(plan, 'placeOrder');
    expect(place.env.find((e) => e.name === 'ORDERS_TABLE')).toEqual({
      name: 'ORDERS_TABLE',
      source: { kind: 'tableName', table: 'Orders' },
      grant: {
        actions: TABLE_ACTIONS.readWrite,
        resource: { kind: 'table', table: 'Orders', indexes: ['byStore', 'byCustomer', 'byStatus'] },
      },
    });
    expect(place.env.find((e) => e.name === 'STORES_TABLE')?.grant).toEqual({
      actions: TABLE_ACTIONS.read,
      resource: { kind: 'table', table: 'Stores', indexes: [] },
    });
  });

  it('lets a function start the workflow it is told about, and only resume the one it answers', () => {
    expect(fn(plan, 'startWorkflow').env.find((e) => e.name === 'ORDER_WORKFLOW_ARN')).toEqual({
      name: 'ORDER_WORKFLOW_ARN',
      source: { kind: 'stateMachineArn', stateMachine: ORDER_WORKFLOW },
      grant: { actions: ['states:StartExecution'], resource: { kind: 'stateMachine', stateMachine: ORDER_WORKFLOW } },
    });
    expect(fn(plan, 'startWorkflow').grants).toEqual([]);
    expect(fn(plan, 'placeOrder').env.some((e) => e.source.kind === 'stateMachineArn')).toBe(false);
    expect(fn(plan, 'decideOrder').grants).toEqual([
      { actions: TASK_RESPONSE_ACTIONS, resource: { kind: 'stateMachine', stateMachine: ORDER_WORKFLOW } },
    ]);
  });

  it('grants topics publish, parameters read, and nothing for a URL or a value', () => {
    expect(fn(plan, 'awaitParty').env.find((e) => e.name === 'STORE_TOPIC_ARN')?.grant).toEqual({
      actions: ['sns:Publish'],
      resource: { kind: 'topic', topic: 'StoreAlerts' },
    });
    const delivery = fn(plan, 'awaitDelivery');
    expect(delivery.readsSsmParameter).toBe(true);
    expect(delivery.env.find((e) => e.name === 'ORS_API_KEY_PARAMETER')).toEqual({
      name: 'ORS_API_KEY_PARAMETER',
      source: { kind: 'ssmParameterName', parameter: ORS_API_KEY_PARAMETER },
      grant: { actions: ['ssm:GetParameter'], resource: { kind: 'ssmParameter', parameter: ORS_API_KEY_PARAMETER } },
    });
    expect(delivery.env.find((e) => e.name === 'ORS_BASE_URL')).toEqual({
      name: 'ORS_BASE_URL',
      source: { kind: 'value', value: 'https://api.openrouteservice.org' },
    });
    expect(fn(plan, 'publishOrderUpdate').env).toEqual([{ name: 'GRAPHQL_URL', source: { kind: 'graphqlUrl' } }]);
    expect(fn(plan, 'placeOrder').readsSsmParameter).toBe(false);
  });

  it('lets a graphqlIam function call exactly the fields the schema opens to IAM', () => {
    expect(fn(plan, 'publishOrderUpdate').grants).toEqual([
      { actions: ['appsync:GraphQL'], resource: { kind: 'graphqlFields', typeName: 'Mutation', fields: ['publishOrderUpdate'] } },
    ]);
  });

  it('maps each IAM root field to the functions granted it (the publisher alone may publish)', () => {
    expect(graphqlIamGrants(plan)).toEqual({ 'Mutation.publishOrderUpdate': ['publishOrderUpdate'] });
    expect(graphqlIamGrants(planManifest(tinyManifest(), schemaSdl))).toEqual({});
  });

  it("carries the manifest's auth modes, and the API key alone when it has none", () => {
    expect(plan.auth).toEqual({ defaultMode: 'AMAZON_COGNITO_USER_POOLS', additionalModes: ['AWS_IAM', 'API_KEY'] });
    expect(planManifest(tinyManifest(), schemaSdl).auth).toEqual(DEFAULT_API_AUTH);
    expect(DEFAULT_API_AUTH).toEqual({ defaultMode: 'API_KEY', additionalModes: [] });
  });

  it("carries the API's limits and the Apollo explorer's origins; refuses an origin a browser never sends", () => {
    expect(plan.api?.corsOrigins).toEqual(['https://studio.apollographql.com', 'https://sandbox.embed.apollographql.com']);
    expect(planManifest(tinyManifest(), schemaSdl).api).toBeUndefined();
    const limits = { queryDepthLimit: 1, resolverCountLimit: 1, maxOrdersPerRequest: 1, rateLimitPerFiveMinutes: 10 };
    for (const origin of [
      'https://studio.apollographql.com/',
      'https://example.com/path',
      '*',
      'null',
      'ftp://example.com',
      'https://EXAMPLE.com',
    ])
      expect(() => planManifest(tinyManifest({ api: { ...limits, corsOrigins: [origin] } }), schemaSdl)).toThrow(RangeError);
    expect(planManifest(tinyManifest({ api: { ...limits, corsOrigins: ['http://localhost:5173'] } }), schemaSdl).api?.corsOrigins).toEqual([
      'http://localhost:5173',
    ]);
  });

  it('wires each resolver to its data source, with the table access defaulted to read', () => {
    const getOrder = plan.resolvers.find((r) => r.typeName === 'Query' && r.fieldName === 'getOrder');
    expect(getOrder).toEqual({
      typeName: 'Query',
      fieldName: 'getOrder',
      file: 'resolvers/Query.getOrder.ts',
      dataSource: { name: 'OrdersTable', type: 'AMAZON_DYNAMODB', table: 'Orders', access: 'read', indexed: true },
    });
    expect(plan.resolvers.find((r) => r.fieldName === 'placeOrder')?.dataSource).toEqual({
      name: 'PlaceOrderFunction',
      type: 'AWS_LAMBDA',
      function: 'placeOrder',
    });
    expect(plan.resolvers).toHaveLength(manifest.resolvers.length);
  });

  it('resolves each workflow placeholder to the resource it names', () => {
    expect(plan.stateMachines[0]?.substitutions).toEqual([
      { placeholder: 'AwaitPartyFunctionArn', target: { kind: 'function', name: 'awaitParty' } },
      { placeholder: 'AwaitDeliveryFunctionArn', target: { kind: 'function', name: 'awaitDelivery' } },
      { placeholder: 'OrdersTableName', target: { kind: 'table', name: 'Orders' } },
    ]);
  });

  it('applies the defaults of timeouts, receive counts and stream batches', () => {
    const p = planManifest(tinyManifest(), schemaSdl);
    expect(p.functions[0]?.timeoutSeconds).toBe(DEFAULT_FUNCTION_TIMEOUT_SECONDS);
    expect(p.queues[0]?.maxReceiveCount).toBe(5);
    expect(p.streams).toEqual([
      {
        table: 'T',
        function: 'f',
        batchSize: 10,
        maxRetries: 3,
        parallelizationFactor: 1,
        maxBatchingWindowSeconds: 0,
        failureQueue: 'f-stream-failures',
      },
    ]);
  });

  it.each<[string, Partial<Manifest>]>([
    ['an unknown table in a binding', { functions: [{ name: 'f', entry: 'e.ts', env: { X: { table: 'Nope', access: 'read' } } }] }],
    ['an unknown topic in a binding', { functions: [{ name: 'f', entry: 'e.ts', env: { X: { topic: 'Nope' } } }] }],
    ['an unknown workflow to answer', { functions: [{ name: 'f', entry: 'e.ts', env: {}, taskResponse: 'Nope' }] }],
    ['an unknown topic of a queue', { queues: [{ name: 'q', topic: 'Nope' }] }],
    ['an unknown data source of a resolver', { resolvers: [{ typeName: 'Query', fieldName: 'x', dataSource: 'Nope', file: 'x.ts' }] }],
    ['an unknown function of a data source', { dataSources: [{ name: 'TTable', type: 'AWS_LAMBDA', function: 'nope' }] }],
    [
      'an unknown substitution target',
      { stateMachines: [{ name: 'W', definitionFile: 'w.json', substitutions: { X: { table: 'Nope' } } }] },
    ],
    ['a stream of a table without one', { tables: [{ name: 'T', partitionKey: { name: 'id', type: 'S' } }] }],
    ['an auth mode named twice', { auth: { defaultMode: 'API_KEY', additionalModes: ['AWS_IAM', 'API_KEY'] } }],
  ])('rejects %s', (_, overrides) => {
    expect(() => planManifest(tinyManifest(overrides), schemaSdl)).toThrow(ManifestReferenceError);
  });

  it.each<[string, Partial<Manifest['streams'][number]>]>([
    ['a parallelization factor above 10', { parallelizationFactor: 11 }],
    ['a parallelization factor of 0', { parallelizationFactor: 0 }],
    ['a batching window above 300 s', { maxBatchingWindowSeconds: 301 }],
    ['a fractional batching window', { maxBatchingWindowSeconds: 0.5 }],
    ['retries above 10,000', { maxRetries: 10_001 }],
    ['infinite retries (-1: a record that never succeeds would never reach the failure queue)', { maxRetries: -1 }],
  ])('rejects a stream mapping with %s', (_, settings) => {
    const m = tinyManifest({ streams: [{ table: 'T', function: 'f', ...settings }] });
    expect(() => planManifest(m, schemaSdl)).toThrow(RangeError);
  });

  it("keeps a stream mapping's event filter, each event name once", () => {
    const m = tinyManifest({ streams: [{ table: 'T', function: 'f', filter: { eventName: ['INSERT', 'INSERT'] } }] });
    expect(planManifest(m, schemaSdl).streams[0]?.filter).toEqual({ eventName: ['INSERT'] });
  });

  it('rejects a stream filter that lets nothing through', () => {
    const m = tinyManifest({ streams: [{ table: 'T', function: 'f', filter: { eventName: [] } }] });
    expect(() => planManifest(m, schemaSdl)).toThrow(ManifestReferenceError);
  });
});
