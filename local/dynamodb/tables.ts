/**
 * Creates the manifest's tables in DynamoDB Local, the way the CDK stack declares them:
 * on-demand billing, GSIs projecting ALL attributes, and a stream when the spec asks for one.
 *
 * Idempotent across restarts of a persistent local stack: an existing table is kept (with its
 * data); a stream or GSI added to the manifest since is added to it; a changed key schema
 * cannot be migrated in place and fails with {@link TableSchemaMismatchError}.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  waitUntilTableExists,
  type AttributeDefinition,
  type DynamoDBClient,
  type KeySchemaElement,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { TableSpec } from '../../infra/manifest-types.js';

export interface EnsuredTable {
  readonly tableName: string;
  /** Present when the spec has a stream. */
  readonly streamArn?: string;
}

export class TableSchemaMismatchError extends Error {
  override readonly name = 'TableSchemaMismatchError';
  constructor(tableName: string, detail: string) {
    super(
      `table ${tableName} exists with a different ${detail} than the manifest declares; ` +
        'key schemas cannot change in place: delete the local data folder (or use --in-memory) and start again',
    );
  }
}

export class ConflictingAttributeTypeError extends Error {
  override readonly name = 'ConflictingAttributeTypeError';
  constructor(table: string, attribute: string) {
    super(`table ${table} declares attribute ${attribute} with two different types (table key and GSI key must agree)`);
  }
}

type KeySpec = { readonly name: string; readonly type: 'S' | 'N' };

/** Returns logical table name → physical name and stream ARN. */
export async function ensureTables(
  client: DynamoDBClient,
  tables: readonly TableSpec[],
  physicalName: (logical: string) => string,
): Promise<Map<string, EnsuredTable>> {
  const result = new Map<string, EnsuredTable>();
  for (const spec of tables) {
    const tableName = physicalName(spec.name);
    let description = await describe(client, tableName);
    if (description === undefined) {
      description = await create(client, spec, tableName);
    } else {
      checkKeySchema(tableName, description.KeySchema, keySchema(spec.partitionKey, spec.sortKey), 'key schema');
      description = await reconcile(client, spec, tableName, description);
    }
    if (spec.ttlAttribute !== undefined) await ensureTimeToLive(client, tableName, spec.ttlAttribute);
    const streamArn = spec.stream === undefined ? undefined : description.LatestStreamArn;
    if (spec.stream !== undefined && streamArn === undefined) throw new Error(`table ${tableName} has no stream ARN after creation`);
    result.set(spec.name, streamArn === undefined ? { tableName } : { tableName, streamArn });
  }
  return result;
}

/** Turns on TTL on `attribute` unless it already is (UpdateTimeToLive refuses a no-op change). */
async function ensureTimeToLive(client: DynamoDBClient, tableName: string, attribute: string): Promise<void> {
  const current = (await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }))).TimeToLiveDescription;
  if (current?.TimeToLiveStatus === 'ENABLED' && current.AttributeName === attribute) return;
  await client.send(
    new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: attribute } }),
  );
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function describeActive(client: DynamoDBClient, tableName: string): Promise<TableDescription> {
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  const table = await describe(client, tableName);
  if (table === undefined) throw new Error(`table ${tableName} vanished while it was being created`);
  return table;
}

async function create(client: DynamoDBClient, spec: TableSpec, tableName: string): Promise<TableDescription> {
  const gsis = spec.globalSecondaryIndexes ?? [];
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: attributeDefinitions(spec),
      KeySchema: keySchema(spec.partitionKey, spec.sortKey),
      GlobalSecondaryIndexes:
        gsis.length === 0
          ? undefined
          : gsis.map((gsi) => ({
              IndexName: gsi.name,
              KeySchema: keySchema(gsi.partitionKey, gsi.sortKey),
              Projection: { ProjectionType: 'ALL' },
            })),
      StreamSpecification: spec.stream === undefined ? undefined : { StreamEnabled: true, StreamViewType: spec.stream },
    }),
  );
  return describeActive(client, tableName);
}

/** Adds what the manifest gained since the table was created: a stream, missing GSIs. */
async function reconcile(client: DynamoDBClient, spec: TableSpec, tableName: string, table: TableDescription): Promise<TableDescription> {
  let changed = false;
  const current = table.StreamSpecification;
  const wanted = spec.stream;
  const streamOn = current?.StreamEnabled === true;
  if (wanted !== undefined && (!streamOn || current?.StreamViewType !== wanted)) {
    // A view type cannot change while the stream is on: turn it off first.
    if (streamOn) await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: false } }));
    await client.send(
      new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: wanted } }),
    );
    changed = true;
  }
  const existing = new Map((table.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName, g]));
  for (const gsi of spec.globalSecondaryIndexes ?? []) {
    const found = existing.get(gsi.name);
    const wantedKeys = keySchema(gsi.partitionKey, gsi.sortKey);
    if (found !== undefined) {
      checkKeySchema(tableName, found.KeySchema, wantedKeys, `key schema on index ${gsi.name}`);
      continue;
    }
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: attributeDefinitions(spec),
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: gsi.name, KeySchema: wantedKeys, Projection: { ProjectionType: 'ALL' } } }],
      }),
    );
    changed = true;
  }
  return changed ? describeActive(client, tableName) : table;
}

function keySchema(partitionKey: KeySpec, sortKey: KeySpec | undefined): KeySchemaElement[] {
  const keys: KeySchemaElement[] = [{ AttributeName: partitionKey.name, KeyType: 'HASH' }];
  if (sortKey !== undefined) keys.push({ AttributeName: sortKey.name, KeyType: 'RANGE' });
  return keys;
}

function attributeDefinitions(spec: TableSpec): AttributeDefinition[] {
  const types = new Map<string, 'S' | 'N'>();
  const add = (key: KeySpec | undefined) => {
    if (key === undefined) return;
    const seen = types.get(key.name);
    if (seen !== undefined && seen !== key.type) throw new ConflictingAttributeTypeError(spec.name, key.name);
    types.set(key.name, key.type);
  };
  add(spec.partitionKey);
  add(spec.sortKey);
  for (const gsi of spec.globalSecondaryIndexes ?? []) {
    add(gsi.partitionKey);
    add(gsi.sortKey);
  }
  return [...types].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
}

function checkKeySchema(
  tableName: string,
  actual: readonly KeySchemaElement[] | undefined,
  wanted: readonly KeySchemaElement[],
  what: string,
): void {
  const show = (keys: readonly KeySchemaElement[]) => keys.map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
  if (show(actual ?? []) !== show(wanted))
    throw new TableSchemaMismatchError(tableName, `${what} (${show(actual ?? [])} instead of ${show(wanted)})`);
}
