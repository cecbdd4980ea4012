// Runs the DynamoDB data source against DynamoDB Local (a JVM, ~3-4 s to start), in memory.
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../dynamodb/dynamodb-local.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../util/aws.js';
import type { ResolverInvocation } from '../types.js';
import { executeDataSource, type DataSourceRuntime } from './datasources.js';
import { createFieldResolver, loadResolver, type LoadedResolver } from './index.js';

const invocation = (args: Record<string, unknown>): ResolverInvocation => ({
  arguments: args,
  identity: null,
  authType: 'API_KEY',
  source: null,
  request: { headers: {}, domainName: null },
  info: { fieldName: 'order', parentTypeName: 'Mutation', variables: {}, selectionSetList: [], selectionSetGraphQL: '' },
});

describe('AMAZON_DYNAMODB data source', () => {
  let dynamo: DynamoDbLocal;
  let client: DynamoDBClient;
  let ds: DataSourceRuntime;
  let resolver: LoadedResolver;
  const run = (args: Record<string, unknown>) => createFieldResolver(resolver, ds)(invocation(args));

  beforeAll(async () => {
    // startDynamoDbLocal resolves once the JVM answers requests.
    dynamo = await startDynamoDbLocal({});
    client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    await client.send(
      new CreateTableCommand({
        TableName: 'orders',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    ds = { type: 'AMAZON_DYNAMODB', tableName: 'orders', client };
    resolver = await loadResolver(path.join(import.meta.dirname, 'fixtures', 'orders-ddb.ts'));
  }, 60_000);

  afterAll(async () => {
    client?.destroy();
    await dynamo?.stop();
  });

  it('puts an item guarded by a condition and returns it', async () => {
    const out = await run({ op: 'put', id: 'o1' });

    expect(out).toMatchObject({ errors: [], data: { id: 'o1', status: 'PLACED', count: 1, tags: ['a'] } });
  });

  it('treats a repeated identical put as success, as AppSync does', async () => {
    const out = await run({ op: 'put', id: 'o1' });

    expect(out).toMatchObject({ errors: [], data: { id: 'o1', status: 'PLACED' } });
  });

  it('reads the item back as plain JSON, and null for a missing one', async () => {
    expect((await run({ op: 'get', id: 'o1' })).data).toEqual({ id: 'o1', status: 'PLACED', count: 1, tags: ['a'] });
    expect((await run({ op: 'get', id: 'missing' })).data).toBeNull();
  });

  it('updates with operations and returns the new item', async () => {
    const out = await run({ op: 'advance', id: 'o1' });

    expect(out).toMatchObject({ errors: [], data: { id: 'o1', status: 'ACCEPTED', count: 3, tags: ['a', 'b'] } });
  });

  it('maps a failed condition to DynamoDB:ConditionalCheckFailedException', async () => {
    const out = await run({ op: 'advance', id: 'o1' });

    expect(out).toMatchObject({ data: null, errors: [{ errorType: 'DynamoDB:ConditionalCheckFailedException' }] });
  });

  it('pages a Scan with an opaque nextToken', async () => {
    await run({ op: 'put', id: 'o2' });
    await run({ op: 'advance', id: 'o2' });

    const seen: string[] = [];
    let nextToken: unknown = null;
    for (let page = 0; page < 5; page += 1) {
      const out = await run({ op: 'scan', nextToken });
      const result = out.data as { items: { id: string }[]; nextToken: string | null; scannedCount: number };
      seen.push(...result.items.map((i) => i.id));
      nextToken = result.nextToken;
      if (nextToken === null) break;
      expect(typeof nextToken).toBe('string');
    }

    expect(seen.sort()).toEqual(['o1', 'o2']);
  });

  it('queries by key', async () => {
    const out = await run({ op: 'query', id: 'o2' });

    expect(out.data).toMatchObject({ items: [{ id: 'o2', status: 'ACCEPTED' }], scannedCount: 1 });
  });

  it('deletes and returns the old item', async () => {
    const out = await run({ op: 'remove', id: 'o2' });

    expect(out.data).toMatchObject({ id: 'o2', status: 'ACCEPTED' });
    expect((await run({ op: 'get', id: 'o2' })).data).toBeNull();
  });

  it('accepts a condition given as a JSON string and numbers as JSON numbers', async () => {
    const out = await executeDataSource(ds, {
      operation: 'PutItem',
      key: { id: { S: 'o3' } },
      attributeValues: { total: { N: 12.5 } },
      condition: JSON.stringify({ expression: 'attribute_not_exists(#id)', expressionNames: { '#id': 'id' }, expressionValues: {} }),
    });

    expect(out).toEqual({ result: { id: 'o3', total: 12.5 } });
  });

  it('maps other SDK errors to DynamoDB:<name>', async () => {
    const out = await executeDataSource(
      { type: 'AMAZON_DYNAMODB', tableName: 'no-such-table', client },
      { operation: 'GetItem', key: { id: { S: 'x' } } },
    );

    expect(out).toMatchObject({ error: { type: 'DynamoDB:ResourceNotFoundException' } });
  });
});
