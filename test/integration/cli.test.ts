/**
 * `npm start` as a user runs it: a real child process, its printed URLs and amplify-config.json,
 * Ctrl-C (SIGINT) stopping everything including DynamoDB Local's JVM, data surviving a restart,
 * and clear messages instead of stack traces when it cannot start.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { Hub } from 'aws-amplify/utils';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { Order } from '../../generated/graphql.js';
import { REPO_ROOT } from '../../local/stack.js';
import { orderInput } from './harness.js';
import { GET_ORDER, ON_ORDER_UPDATED, PLACE_ORDER } from './operations.js';

/** Exactly what `npm start` runs (package.json). */
const NODE_ARGS = ['--import', 'tsx', '--disable-warning=ExperimentalWarning', 'local/cli.ts'];
const children: ChildProcess[] = [];
let tmp: string | undefined;

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

afterAll(async () => {
  if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(args: string[], env: NodeJS.ProcessEnv = process.env): Started {
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Resolves when the child has printed its ready line; rejects if it exits first or takes over `timeoutMs`. */
function ready(s: Started, timeoutMs = 90_000): Promise<void> {
  const marker = 'Press Ctrl-C to stop.';
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      clearTimeout(timer);
      s.child.stdout?.off('data', check);
      s.child.stderr?.off('data', check);
      s.child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    // Registered after start()'s own listener, so output() already holds this chunk.
    const check = () => {
      if (s.output().includes(marker)) settle();
    };
    const onExit = () => settle(new Error(`npm start exited early:\n${s.output()}`));
    const timer = setTimeout(() => settle(new Error(`npm start not ready after ${timeoutMs} ms:\n${s.output()}`)), timeoutMs);
    s.child.stdout?.on('data', check);
    s.child.stderr?.on('data', check);
    s.child.on('exit', onExit);
    if (s.child.exitCode !== null) onExit();
    else check();
  });
}

/** Resolves on Amplify's next "Subscription ack" (the server's start_ack); call before subscribing. */
function nextSubscriptionAck(): Promise<void> {
  return new Promise((resolve) => {
    const stop = Hub.listen('api', ({ payload }) => {
      if (payload.event !== 'Subscription ack') return;
      stop();
      resolve();
    });
  });
}

/** PIDs of DynamoDB Local JVMs whose command line mentions `marker` (its data folder). */
function jvmsFor(marker: string): string[] {
  const out = spawnSync('pgrep', ['-f', `DynamoDBLocal.jar.*${marker}`], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter((l) => l.trim() !== '');
}

type Raw = (o: { query: string; variables?: Record<string, unknown> }) => Promise<{ data: Record<string, unknown> }>;

describe('npm start', () => {
  it('explains its options', async () => {
    const s = start(['--help']);
    expect(await s.exited).toBe(0);
    expect(s.output()).toContain('--in-memory');
    expect(s.output()).toContain('--port');
  });

  // Two full starts (each may take `ready`'s 90 s on a loaded machine) outgrow the project's 60 s.
  it(
    'writes a working amplify-config.json, stops on Ctrl-C with its JVM, and keeps orders across a restart',
    { timeout: 240_000 },
    async () => {
      tmp = await mkdtemp(join(tmpdir(), 'pizza-cli-'));
      const dataDir = join(tmp, 'data');
      const configFile = join(tmp, 'amplify-config.json');
      const args = ['--port', '0', '--data-dir', dataDir, '--amplify-config', configFile];

      const first = start(args);
      await ready(first);
      expect(first.output()).toMatch(/GraphQL\s+http:\/\/127\.0\.0\.1:\d+\/graphql/);
      expect(first.output()).toMatch(/API key\s+da2-/);
      Amplify.configure(JSON.parse(await readFile(configFile, 'utf8')));
      const client = generateClient() as unknown as { graphql: Raw };
      const placed = (await client.graphql({ query: PLACE_ORDER, variables: { input: orderInput() } })).data.placeOrder as Order;
      expect(jvmsFor(dataDir)).toHaveLength(1);

      first.child.kill('SIGINT');
      expect(await first.exited).toBe(0);
      expect(first.output()).toContain('Stopped.');
      expect(jvmsFor(dataDir)).toEqual([]);

      const second = start(args);
      await ready(second);
      Amplify.configure(JSON.parse(await readFile(configFile, 'utf8')));
      const again = generateClient() as unknown as { graphql: Raw };
      const found = (await again.graphql({ query: GET_ORDER, variables: { orderId: placed.orderId } })).data.getOrder as Order | null;
      expect(found?.createdAt).toBe(placed.createdAt);

      // After a restart the stream mapping resumes at the tip and still publishes new changes.
      const events: { orderId: string; status: string }[] = [];
      const acked = nextSubscriptionAck();
      const sub = (again.graphql as unknown as (o: object) => { subscribe(o: object): { unsubscribe(): void } })({
        query: ON_ORDER_UPDATED,
        variables: { storeId: placed.storeId },
      }).subscribe({
        next: ({ data }: { data: { onOrderUpdated: { orderId: string; status: string } } }) => events.push(data.onOrderUpdated),
        error: () => undefined,
      });
      await acked;
      const next = (await again.graphql({ query: PLACE_ORDER, variables: { input: orderInput() } })).data.placeOrder as Order;
      await vi.waitFor(() => expect(events.map((e) => e.orderId)).toContain(next.orderId), { timeout: 15_000, interval: 100 });
      sub.unsubscribe();
      expect(events.map((e) => e.orderId)).not.toContain(placed.orderId);

      second.child.kill('SIGINT');
      expect(await second.exited).toBe(0);
      expect(jvmsFor(dataDir)).toEqual([]);
    },
  );

  it('says the port is taken instead of printing a stack trace', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const s = start(['--port', String(port), '--in-memory']);
      expect(await s.exited).toBe(1);
      expect(s.output()).toContain(`port ${port} on 127.0.0.1 is taken`);
      expect(s.output()).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });

  it('says Java is missing instead of printing a stack trace', async () => {
    const s = start(['--port', '0', '--in-memory'], { ...process.env, PATH: '/nonexistent' });
    expect(await s.exited).toBe(1);
    expect(s.output()).toMatch(/Java/);
    expect(s.output()).not.toMatch(/\n\s+at /);
  });

  it('refuses a bad option with the usage', async () => {
    const s = start(['--port', 'eighty']);
    expect(await s.exited).toBe(1);
    expect(s.output()).toContain('--port must be a whole number');
  });
});
