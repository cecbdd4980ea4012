import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableSpec } from '../../infra/manifest-types.js';
import { findFreePort, PortInUseError } from '../util/ports.js';
import { waitFor } from '../util/wait.js';
import {
  checkJava,
  DEFAULT_JVM_GC,
  DEFAULT_JVM_HEAP,
  isDynamoDbLocalOn,
  JavaNotFoundError,
  JVM_ARGS_ENV,
  PID_FILE,
  startDynamoDbLocal,
} from './dynamodb-local.js';
import { startStreamPoller } from './stream-poller.js';
import { ensureTables } from './tables.js';
import { LOCAL_CREDENTIALS } from '../util/aws.js';

const credentials = LOCAL_CREDENTIALS;
const orders: TableSpec = { name: 'Orders', partitionKey: { name: 'orderId', type: 'S' }, stream: 'NEW_AND_OLD_IMAGES' };
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** False once the process is gone or a zombie nobody has reaped yet. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** A Node process that starts DynamoDB Local and reports `{ pid, endpoint }` on stdout. */
async function startInChildProcess(dataDir: string, dir: string) {
  const script = join(dir, 'child.mts');
  await writeFile(
    script,
    `import { startDynamoDbLocal } from ${JSON.stringify(join(REPO_ROOT, 'local/dynamodb/dynamodb-local.ts'))};
const d = await startDynamoDbLocal({ dataDir: ${JSON.stringify(dataDir)} });
process.stdout.write(JSON.stringify({ pid: d.pid, endpoint: d.endpoint }) + '\\n');
setInterval(() => undefined, 1000);
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const info = await new Promise<{ pid: number; endpoint: string }>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line !== undefined) resolve(JSON.parse(line));
    });
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before reporting`)));
  });
  return { child, exited, ...info };
}

describe('startDynamoDbLocal', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ddb-local-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'dies with its Node process on Ctrl-C, keeps data in dataDir across a restart, and is gone after stop()',
    { timeout: 90_000 },
    async () => {
      const dataDir = join(dir, 'data');
      // 1. Started by another Node process that then gets SIGINT (Ctrl-C) without calling stop().
      const first = await startInChildProcess(dataDir, dir);
      expect(isAlive(first.pid)).toBe(true);
      const client1 = new DynamoDBClient({ endpoint: first.endpoint, region: 'us-east-1', credentials });
      const tables = await ensureTables(client1, [orders], (n) => `test-${n}`);
      await client1.send(new PutItemCommand({ TableName: 'test-Orders', Item: { orderId: { S: 'o-1' }, status: { S: 'PLACED' } } }));
      client1.destroy();
      first.child.kill('SIGINT');
      await first.exited;
      await waitFor(() => !isAlive(first.pid), { what: `JVM ${first.pid} to die`, timeoutMs: 10_000 });

      // 2. Restart on the same folder, from another region and key (-sharedDb: one database).
      const second = await startDynamoDbLocal({ dataDir });
      const region = 'eu-west-1';
      const other = { accessKeyId: 'other', secretAccessKey: 'x' };
      const client2 = new DynamoDBClient({ endpoint: second.endpoint, region, credentials: other });
      const streams = new DynamoDBStreamsClient({ endpoint: second.endpoint, region, credentials: other });
      try {
        expect(second.endpoint).toBe(`http://127.0.0.1:${second.port}`);
        // The environment's JVM flags reach the JVM (the suite sets the quick JIT: vitest.config.ts).
        const cmdline = (await readFile(`/proc/${second.pid}/cmdline`, 'utf8')).split('\0');
        expect(process.env[JVM_ARGS_ENV]).toBe('-XX:TieredStopAtLevel=1');
        expect(cmdline).toContain('-XX:TieredStopAtLevel=1');
        // And the defaults no flag replaced: the capped heap and the serial collector.
        expect(cmdline).toEqual(expect.arrayContaining([DEFAULT_JVM_HEAP, DEFAULT_JVM_GC]));
        const again = await ensureTables(client2, [orders], (n) => `test-${n}`);
        expect(again.get('Orders')).toEqual(tables.get('Orders'));
        const item = await client2.send(new GetItemCommand({ TableName: 'test-Orders', Key: { orderId: { S: 'o-1' } } }));
        expect(item.Item?.status).toEqual({ S: 'PLACED' });

        // 3. A poller started after the restart does not republish the change made before it.
        const seen: string[] = [];
        const streamArn = again.get('Orders')?.streamArn ?? '';
        const poller = await startStreamPoller({
          streams,
          streamArn,
          pollIntervalMs: 50,
          handler: async (event) => void seen.push(...event.Records.map((r) => r.dynamodb?.Keys?.orderId?.S ?? '?')),
        });
        await client2.send(new PutItemCommand({ TableName: 'test-Orders', Item: { orderId: { S: 'o-2' }, status: { S: 'PLACED' } } }));
        await poller.drained();
        await poller.stop();
        expect(seen).toEqual(['o-2']);
      } finally {
        client2.destroy();
        streams.destroy();
        await second.stop();
      }
      expect(isAlive(second.pid)).toBe(false);
    },
  );

  it.skipIf(process.platform !== 'linux')(
    'dies at once when its Node process is killed with SIGKILL (Linux: parent-death signal)',
    { timeout: 90_000 },
    async () => {
      const started = await startInChildProcess(join(dir, 'sigkill'), dir);
      expect(isAlive(started.pid)).toBe(true);
      started.child.kill('SIGKILL');
      await started.exited;
      await waitFor(() => !isAlive(started.pid), { what: `JVM ${started.pid} to die with its parent`, timeoutMs: 10_000 });
    },
  );

  it.skipIf(process.platform !== 'linux')(
    'ends the JVM a killed run left on the same folder before starting, and nothing else',
    { timeout: 90_000 },
    async () => {
      const dataDir = join(dir, 'orphan');
      // A live process that is not DynamoDB Local on this folder is never touched.
      await rm(dataDir, { recursive: true, force: true });
      await mkdir(dataDir, { recursive: true });
      await writeFile(join(dataDir, PID_FILE), `${process.ppid}\n`);
      const orphan = await startDynamoDbLocal({ dataDir });
      expect(isAlive(process.ppid)).toBe(true);
      expect(await readFile(join(dataDir, PID_FILE), 'utf8')).toBe(`${orphan.pid}\n`);

      // `orphan` is never stopped, as after a SIGKILL; the next start on the folder ends it first.
      const logs: string[] = [];
      const next = await startDynamoDbLocal({ dataDir, logger: (line) => logs.push(line) });
      try {
        expect(isAlive(orphan.pid)).toBe(false);
        expect(logs.join('\n')).toContain(`ending DynamoDB Local (pid ${orphan.pid}) left running on ${dataDir}`);
        expect(await readFile(join(dataDir, PID_FILE), 'utf8')).toBe(`${next.pid}\n`);
      } finally {
        await next.stop();
        await orphan.stop();
      }
      expect(existsSync(join(dataDir, PID_FILE))).toBe(false);
    },
  );

  it('throws JavaNotFoundError with install advice when java is not on PATH', async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = '/nonexistent-bin';
    try {
      const error = await startDynamoDbLocal({}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JavaNotFoundError);
      expect(String(error)).toMatch(
        /JavaNotFoundError: DynamoDB Local needs Java 17 .*not found on PATH.*apt-get install -y openjdk-17-jre-headless/,
      );
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

describe('isDynamoDbLocalOn', () => {
  const jvm = ['/usr/lib/jvm/bin/java', '-Djava.library.path=/x/DynamoDBLocal_lib', '-jar', '/x/DynamoDBLocal.jar', '-port', '1'];

  it('recognises DynamoDB Local on the same folder', () => {
    expect(isDynamoDbLocalOn([...jvm, '-dbPath', '/data/dynamodb', ''], '/data/dynamodb/')).toBe(true);
  });

  it('rejects another folder, an in-memory JVM, and a program that is not java', () => {
    expect(isDynamoDbLocalOn([...jvm, '-dbPath', '/other'], '/data/dynamodb')).toBe(false);
    expect(isDynamoDbLocalOn([...jvm, '-inMemory'], '/data/dynamodb')).toBe(false);
    expect(isDynamoDbLocalOn(['node', '/x/DynamoDBLocal.jar', '-dbPath', '/data/dynamodb'], '/data/dynamodb')).toBe(false);
  });
});
