import { CreateTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableSpec } from '../../infra/manifest-types.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../util/aws.js';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.js';
import { ConflictingAttributeTypeError, ensureTables, TableSchemaMismatchError } from './tables.js';

const orders: TableSpec = {
  name: 'Orders',
  partitionKey: { name: 'orderId', type: 'S' },
  stream: 'NEW_AND_OLD_IMAGES',
  globalSecondaryIndexes: [{ name: 'byStore', partitionKey: { name: 'storeId', type: 'S' }, sortKey: { name: 'createdAt', type: 'S' } }],
};
const counters: TableSpec = { name: 'Counters', partitionKey: { name: 'pk', type: 'S' }, sortKey: { name: 'n', type: 'N' } };

describe('ensureTables', { timeout: 30_000 }, () => {
  let dynamo: DynamoDbLocal;
  let client: DynamoDBClient;
  beforeAll(async () => {
    dynamo = await startDynamoDbLocal({});
    client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  }, 90_000);
  afterAll(async () => {
    client?.destroy();
    await dynamo?.stop();
  });

  it('creates on-demand tables with their keys, GSIs and stream, and returns stream ARNs', async () => {
    const tables = await ensureTables(client, [orders, counters], (n) => `a-${n}`);

    expect(tables.get('Counters')).toEqual({ tableName: 'a-Counters' });
    const ordersTable = tables.get('Orders');
    expect(ordersTable?.tableName).toBe('a-Orders');
    expect(ordersTable?.streamArn).toMatch(/table\/a-Orders\/stream\//);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'a-Orders' }));
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(Table?.GlobalSecondaryIndexes?.map((g) => [g.IndexName, g.KeySchema, g.Projection?.ProjectionType])).toEqual([
      [
        'byStore',
        [
          { AttributeName: 'storeId', KeyType: 'HASH' },
          { AttributeName: 'createdAt', KeyType: 'RANGE' },
        ],
        'ALL',
      ],
    ]);
    const counterKeys = (await client.send(new DescribeTableCommand({ TableName: 'a-Counters' }))).Table?.KeySchema;
    expect(counterKeys).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'n', KeyType: 'RANGE' },
    ]);
  });

  it('is idempotent: a second run keeps the tables and returns the same stream ARN', async () => {
    const first = await ensureTables(client, [orders], (n) => `b-${n}`);
    const second = await ensureTables(client, [orders], (n) => `b-${n}`);
    expect(second).toEqual(first);
  });

  it('adds a stream and a GSI that the manifest gained since the table was made', async () => {
    await ensureTables(client, [{ name: 'Orders', partitionKey: { name: 'orderId', type: 'S' } }], (n) => `c-${n}`);

    const tables = await ensureTables(client, [orders], (n) => `c-${n}`);

    expect(tables.get('Orders')?.streamArn).toMatch(/table\/c-Orders\/stream\//);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'c-Orders' }));
    expect(Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual(['byStore']);
  });

  it('turns on TTL on the manifest attribute, idempotently', async () => {
    const keys: TableSpec = { name: 'Keys', partitionKey: { name: 'k', type: 'S' }, ttlAttribute: 'expiresAt' };
    await ensureTables(client, [keys], (n) => `t-${n}`);
    await ensureTables(client, [keys], (n) => `t-${n}`);
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: 't-Keys' }));
    expect(TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });

  it('refuses a table whose key schema differs from the manifest', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: 'd-Orders',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await expect(ensureTables(client, [orders], (n) => `d-${n}`)).rejects.toThrow(TableSchemaMismatchError);
  });

  it('rejects a spec that gives one attribute two types', async () => {
    const bad: TableSpec = {
      name: 'Bad',
      partitionKey: { name: 'id', type: 'S' },
      globalSecondaryIndexes: [{ name: 'g', partitionKey: { name: 'id', type: 'N' } }],
    };
    await expect(ensureTables(client, [bad], (n) => `e-${n}`)).rejects.toThrow(ConflictingAttributeTypeError);
  });
});
