import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableSpec } from '../../infra/manifest-types.js';
import { findFreePort, PortInUseError } from '../util/ports.js';
import { createServer } from 'node:net';
import { checkJava, JavaNotFoundError, startDynamoDbLocal } from './dynamodb-local.js';
import { ensureTables } from './tables.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const orders: TableSpec = { name: 'Orders', partitionKey: { name: 'orderId', type: 'S' }, stream: 'NEW_AND_OLD_IMAGES' };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startDynamoDbLocal', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ddb-local-test-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps data in dataDir across a restart, and its JVM is gone after stop()', { timeout: 90_000 }, async () => {
    const first = await startDynamoDbLocal({ dataDir });
    let firstStreamArn: string | undefined;
    try {
      expect(first.endpoint).toBe(`http://127.0.0.1:${first.port}`);
      expect(isAlive(first.pid)).toBe(true);
      const client = new DynamoDBClient({ endpoint: first.endpoint, region: 'us-east-1', credentials });
      const tables = await ensureTables(client, [orders], (n) => `test-${n}`);
      firstStreamArn = tables.get('Orders')?.streamArn;
      await client.send(new PutItemCommand({ TableName: 'test-Orders', Item: { orderId: { S: 'o-1' }, status: { S: 'PLACED' } } }));
      client.destroy();
    } finally {
      await first.stop();
    }
    expect(isAlive(first.pid)).toBe(false);

    // Another region and access key: -sharedDb means every client sees the same tables.
    const second = await startDynamoDbLocal({ dataDir });
    try {
      const client = new DynamoDBClient({ endpoint: second.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'other', secretAccessKey: 'x' } });
      const again = await ensureTables(client, [orders], (n) => `test-${n}`);
      expect(again.get('Orders')).toEqual({ tableName: 'test-Orders', streamArn: firstStreamArn });
      const item = await client.send(new GetItemCommand({ TableName: 'test-Orders', Key: { orderId: { S: 'o-1' } } }));
      expect(item.Item?.status).toEqual({ S: 'PLACED' });
      client.destroy();
    } finally {
      await second.stop();
    }
    expect(isAlive(second.pid)).toBe(false);
  });

  it('throws JavaNotFoundError with install advice when java is not on PATH', async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = '/nonexistent-bin';
    try {
      const error = await startDynamoDbLocal({}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JavaNotFoundError);
      expect(String(error)).toMatch(/JavaNotFoundError: DynamoDB Local needs Java 17 .*not found on PATH.*apt-get install -y openjdk-17-jre-headless/);
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it('throws JavaNotFoundError when the given java command fails', async () => {
    await expect(checkJava('/bin/false')).rejects.toThrow(JavaNotFoundError);
  });

  it('throws PortInUseError before starting a JVM when the asked-for port is taken', async () => {
    const port = await findFreePort();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port }, resolve));
    try {
      await expect(startDynamoDbLocal({ port })).rejects.toThrow(PortInUseError);
    } finally {
      server.close();
    }
  });
});
