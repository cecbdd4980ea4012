/**
 * The bench's local stack in a process of its own (bench/run.ts forks this file), so the load
 * generator (fifty customers' fetches, the realtime sockets, Amplify's sign-ins) does not share
 * an event loop with the stack it measures: a real client is not inside the server.
 *
 * Protocol (IPC, JSON messages; the parent sends one request at a time and waits for its answer):
 * - parent → child: `{ type: 'start' }` starts the stack (in memory, free ports) and answers
 *   `{ type: 'started', readyMs, stack }`, `readyMs` being `startLocalStack` until it resolves;
 * - `{ type: 'restart' }`: stops the stack and starts it again (start-up is measured several times);
 * - `{ type: 'drainStreams' }` → `{ type: 'drained' }` (LocalStack.drainStreams);
 * - `{ type: 'memory' }` → `{ type: 'memory', usage }` after two full GCs;
 * - `{ type: 'stop' }` → `{ type: 'stopped' }`, then the child exits.
 * Every answer may instead be `{ type: 'error', message }`.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { manifest, STORE_QUEUE_PREFIX } from '../infra/manifest.js';
import { SEED_STORES } from '../infra/seed-stores.js';
import { startLocalStack, type LocalStack } from '../local/stack.js';

/** What the parent needs of the stack to act as its clients (URLs, names, accounts). */
export interface StackInfo {
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly explorerUrl: string;
  readonly apiKey: string;
  readonly region: string;
  readonly amplifyConfig: LocalStack['amplifyConfig'];
  readonly userPool: LocalStack['userPool'];
  readonly demoUsers: LocalStack['demoUsers'];
  readonly demoOperators: LocalStack['demoOperators'];
  readonly endpoints: LocalStack['endpoints'];
  /** Logical → physical, for every table of the manifest. */
  readonly tables: Readonly<Record<string, string>>;
  /** Logical → URL, for every queue of the manifest and its dead-letter queue. */
  readonly queues: Readonly<Record<string, string>>;
  readonly dlqs: Readonly<Record<string, string>>;
  /** Logical → ARN, for every state machine. */
  readonly stateMachines: Readonly<Record<string, string>>;
}

export type StackRequest = { type: 'start' } | { type: 'restart' } | { type: 'drainStreams' } | { type: 'memory' } | { type: 'stop' };

export type StackAnswer =
  | { type: 'started'; readyMs: number; stack: StackInfo }
  | { type: 'drained' }
  | { type: 'memory'; usage: NodeJS.MemoryUsage }
  | { type: 'stopped' }
  | { type: 'error'; message: string };

function isRequest(raw: unknown): raw is StackRequest {
  return (
    typeof raw === 'object' &&
    raw !== null &&
    'type' in raw &&
    ['start', 'restart', 'drainStreams', 'memory', 'stop'].includes(String((raw as { type: unknown }).type))
  );
}

function infoOf(stack: LocalStack): StackInfo {
  return {
    graphqlUrl: stack.graphqlUrl,
    realtimeUrl: stack.realtimeUrl,
    explorerUrl: stack.explorerUrl,
    apiKey: stack.apiKey,
    region: stack.region,
    amplifyConfig: stack.amplifyConfig,
    userPool: stack.userPool,
    demoUsers: stack.demoUsers,
    demoOperators: stack.demoOperators,
    endpoints: stack.endpoints,
    tables: Object.fromEntries(manifest.tables.map((t) => [t.name, stack.tableName(t.name)])),
    queues: Object.fromEntries(queueNames().map((name) => [name, stack.queueUrl(name)])),
    dlqs: Object.fromEntries(queueNames().map((name) => [name, stack.dlqUrl(name)])),
    stateMachines: Object.fromEntries(manifest.stateMachines.map((s) => [s.name, stack.stateMachineArn(s.name)])),
  };
}

/** The manifest's queues and the seed stores' alert queues (created when they are onboarded). */
function queueNames(): string[] {
  return [...manifest.queues.map((q) => q.name), ...SEED_STORES.map((s) => `${STORE_QUEUE_PREFIX}${s.storeId}`)];
}

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('bench/stack-process.ts is forked by bench/run.ts (it needs an IPC channel)');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // Handlers log with console.*; the bench reads no log line (the harness used to keep and clear them).
  console.log = () => undefined;
  console.error = () => undefined;
  console.warn = () => undefined;
  console.info = () => undefined;

  // BENCH_COUNT_REQUESTS=1: counts the stack's own HTTP requests by target (DynamoDB's and the
  // emulators' X-Amz-Target, or method and path), printed to stderr when the stack stops.
  const counts = new Map<string, number>();
  if (process.env['BENCH_COUNT_REQUESTS'] === '1') {
    subscribe('http.client.request.start', (message) => {
      const request = (message as { request: ClientRequest }).request;
      const target = request.getHeader('x-amz-target');
      const key = `${String(request.getHeader('host'))} ${typeof target === 'string' ? target : `${request.method} ${request.path.split('?')[0] ?? ''}`}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    });
  }
  let stack: LocalStack | undefined;
  const start = async (): Promise<StackAnswer> => {
    const t0 = performance.now();
    stack = await startLocalStack({ inMemory: true, port: 0, logger: () => undefined });
    return { type: 'started', readyMs: performance.now() - t0, stack: infoOf(stack) };
  };
  const answer = async (request: StackRequest): Promise<StackAnswer> => {
    switch (request.type) {
      case 'start':
        return start();
      case 'restart':
        await stack?.stop();
        return start();
      case 'drainStreams':
        await stack?.drainStreams();
        return { type: 'drained' };
      case 'memory':
        gc();
        gc();
        return { type: 'memory', usage: process.memoryUsage() };
      case 'stop':
        await stack?.stop();
        stack = undefined;
        for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1])) process.stderr.write(`${String(n).padStart(8)} ${key}\n`);
        return { type: 'stopped' };
    }
  };
  process.on('message', (raw: unknown) => {
    if (!isRequest(raw)) return;
    void answer(raw).then(
      (a) => send(a),
      (error: unknown) => send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  // The parent gone (killed, or done): stop the stack, so no JVM is left behind.
  process.on('disconnect', () => {
    void (stack?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
  });
}

await main();
