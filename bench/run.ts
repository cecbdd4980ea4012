/**
 * `npm run bench`: the local stack under load, every figure next to its target (2 cores).
 *
 * - start-up: `startLocalStack` until ready (in memory, DynamoDB Local's JVM included);
 * - lifecycles/s and event lag at 1, 10 and 50 concurrent customers: each customer drives an order
 *   place → accept (store) → pickup (driver) → ETA → delivered (driver), each step by its signed-in
 *   party over plain `fetch` with its access token, each next step once the store's live
 *   subscriber (a raw realtime socket as store staff) has seen the last; lag is placeOrder sent →
 *   PLACED at that subscriber. The 50 customers share the two demo customer accounts;
 * - fan-out: 1,000 onOrderUpdated subscriptions as the operator (who hears every order) on 50
 *   sockets (AppSync allows 100 per connection); orders placed one after another, each PLACED
 *   event must reach every subscription; latency placeOrder sent → arrival;
 * - reads: `getOrder` on the local `/graphql` against a plain graphql-js floor (bench/reads.ts);
 * - the stack runs in a process of its own (bench/stack-process.ts), the load generator in this
 *   one, as real clients are not inside the server (BENCH_STACK_PROCESS=0: both in this process,
 *   as the bench measured before);
 * - CPU per lifecycle at each level, from /proc: the stack's Node process, DynamoDB Local's JVM and
 *   this load generator (user + system time; on a shared, loaded machine this, not wall time,
 *   says where a lifecycle's work goes);
 * - memory: RSS of the stack's process and of DynamoDB Local's JVM (from /proc), after a warm-up
 *   and after a soak of `BENCH_SOAK` more lifecycles, both after a full GC, against the bound
 *   stated below (MEMORY_BOUND).
 *   The store and driver queues are drained as the store tablet and drivers' app would
 *   (BENCH_DRAIN=0 leaves them to grow: SQS keeps messages for days, and so does the emulator).
 *
 * Timing targets live here only, never in tests.
 *
 * Options (env): BENCH_STARTS (default 3), BENCH_WARMUP (lifecycles at 50 customers before the
 * levels, default 1000: see below), BENCH_LIFECYCLES_1 / _10 / _50 (default 10 / 100 / 1000), BENCH_FANOUT_ORDERS (default 20),
 * BENCH_SUBSCRIBERS (default 1000), BENCH_READ_REQUESTS (per server per round, default 1000),
 * BENCH_READ_ROUNDS (default 3), BENCH_SOAK (lifecycles at 50 customers, default 3000) and
 * BENCH_SOAK_SECONDS (the soak stops starting lifecycles after this, default 120),
 * BENCH_DRAIN (default 1), BENCH_HEAPSNAPSHOT (1: write heap snapshots before and after the soak;
 * in-process mode only), BENCH_STACK_PROCESS (default 1), BENCH_STACK_CPU_PROF (a folder: the
 * stack process writes a V8 CPU profile there when it stops).
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { SEED_STORE_ID } from '../infra/seed-stores.js';
import { orderInput, startHarness, type Harness, type Party } from '../test/integration/harness.js';
import { COMPLETE_DELIVERY, DECIDE_ORDER, PICKUP_ORDER, PLACE_ORDER } from '../test/integration/operations.js';
import { openSocket, OrderEvents, type RealtimeSocket } from './realtime.js';
import { compareReads, quantile } from './reads.js';
import { startRemoteHarness } from './remote-stack.js';

const knob = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const starts = Math.max(1, knob('BENCH_STARTS', 3));
const warmup = knob('BENCH_WARMUP', 1000);
const levels = [
  { customers: 1, lifecycles: knob('BENCH_LIFECYCLES_1', 10) },
  { customers: 10, lifecycles: knob('BENCH_LIFECYCLES_10', 100) },
  { customers: 50, lifecycles: knob('BENCH_LIFECYCLES_50', 1000) },
];
const fanoutOrders = knob('BENCH_FANOUT_ORDERS', 20);
const subscribers = knob('BENCH_SUBSCRIBERS', 1000);
const soak = knob('BENCH_SOAK', 3000);
const soakSeconds = knob('BENCH_SOAK_SECONDS', 120);
const drain = knob('BENCH_DRAIN', 1) !== 0;
const snapshots = knob('BENCH_HEAPSNAPSHOT', 0) !== 0;
const stackProcess = knob('BENCH_STACK_PROCESS', 1) !== 0;
const stackCpuProfile = process.env['BENCH_STACK_CPU_PROF'];

/**
 * The memory bound (issue 8: "memory levels off"), checked after the soak, both processes after a
 * full GC. Why these figures: see README "### Measured". The stack's Node RSS holds the code, V8's
 * reserved heap (its old generation capped by npm start's --max-old-space-size, which the stack
 * process gets too: bench/remote-stack.ts), and the emulators' bounded state (Step Functions keeps
 * its last 1,000 closed executions, local/sfn/engine.ts); DynamoDB Local's JVM runs with a capped heap
 * (local/dynamodb/dynamodb-local.ts, DEFAULT_JVM_HEAP) and keeps the in-memory tables natively
 * (SQLite), which grow with the data as any database does: a few KiB per order.
 */
const MEMORY_BOUND = { stackRssMiB: 400, jvmRssMiB: 600 };

/** The harness captures console.* (handlers log there); results go straight to stdout. */
const say = (line: string) => process.stdout.write(`${line}\n`);
const verdict = (ok: boolean) => (ok ? 'pass' : 'MISS');
const ms = (v: number) => `${v.toFixed(0)} ms`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A GraphQL request as `party` over plain fetch; throws on any error. */
async function call<T>(h: Harness, party: Party, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(h.stack.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: party.token },
    body: JSON.stringify({ query, variables }),
  });
  const json = (await res.json()) as { data?: T; errors?: unknown[] };
  if (res.status !== 200 || json.errors?.length) throw new Error(`${party.name}: ${res.status} ${JSON.stringify(json.errors)}`);
  return json.data as T;
}

interface Parties {
  readonly customers: readonly Party[];
  readonly store: Party;
  readonly drivers: readonly Party[];
}

interface LevelResult {
  readonly lifecycles: number;
  readonly seconds: number;
  readonly lag: number[];
  readonly failures: string[];
}

/**
 * `customers` concurrent customers, each driving lifecycles one after another until `total` have
 * started or `maxSeconds` have passed (those under way then finish).
 */
async function driveLifecycles(
  h: Harness,
  parties: Parties,
  events: OrderEvents,
  customers: number,
  total: number,
  maxSeconds = Infinity,
): Promise<LevelResult> {
  const lag: number[] = [];
  const failures: string[] = [];
  let next = 0;
  let done = 0;
  const lifecycle = async (n: number) => {
    const customer = parties.customers[n % parties.customers.length]!;
    const driver = parties.drivers[n % parties.drivers.length]!;
    const sent = performance.now();
    const { placeOrder } = await call<{ placeOrder: { orderId: string } }>(h, customer, PLACE_ORDER, { input: orderInput() });
    const orderId = placeOrder.orderId;
    try {
      lag.push((await events.waitFor(orderId, (e) => e.status === 'PLACED', 'PLACED')) - sent);
      await call(h, parties.store, DECIDE_ORDER, { input: { orderId, decision: 'ACCEPT' } });
      await events.waitFor(orderId, (e) => e.status === 'ACCEPTED', 'ACCEPTED');
      await call(h, driver, PICKUP_ORDER, { input: { orderId } });
      await events.waitFor(orderId, (e) => e.estimateSource !== null, 'ETA');
      await call(h, driver, COMPLETE_DELIVERY, { input: { orderId } });
      await events.waitFor(orderId, (e) => e.status === 'DELIVERED', 'DELIVERED');
      done += 1;
    } finally {
      events.forget(orderId);
      // The harness keeps every log line for the tests' no-token-leak checks; the bench reads none.
      h.logs.length = 0;
    }
  };
  const started = performance.now();
  const until = started + maxSeconds * 1000;
  await Promise.all(
    Array.from({ length: customers }, async () => {
      while (next < total && performance.now() < until) {
        const n = next++;
        await lifecycle(n).catch((e: unknown) => void failures.push(e instanceof Error ? e.message : String(e)));
      }
    }),
  );
  return { lifecycles: done, seconds: (performance.now() - started) / 1000, lag, failures };
}

/** Reads and deletes what arrives on `queueUrls` (the store tablet and the drivers' app) until stopped. */
function drainQueues(h: Harness, queueUrls: readonly string[]): { stop(): Promise<void> } {
  let running = true;
  const loops = queueUrls.map(async (url) => {
    while (running) {
      const out = await h.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      const messages = out.Messages ?? [];
      if (messages.length > 0)
        await h.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function queueDepths(h: Harness, queueUrls: readonly string[]): Promise<number[]> {
  return Promise.all(
    queueUrls.map(async (url) => {
      const out = await h.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    }),
  );
}

/** RSS in bytes of `pid` from /proc, or undefined where there is no /proc. */
function procRss(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line === undefined ? undefined : Number(line.split(/\s+/)[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) of `pid` so far, in ms, from /proc; undefined where there is none. */
function procCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), in clock ticks: 100 per second on Linux.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

interface CpuMark {
  readonly stack: number | undefined;
  readonly jvm: number | undefined;
  /** This process: the load generator (and, in-process, the stack too). */
  readonly client: number;
}

function cpuMark(stackPid: number, jvm: number | undefined): CpuMark {
  const self = process.cpuUsage();
  return { stack: procCpuMs(stackPid), jvm: procCpuMs(jvm), client: (self.user + self.system) / 1000 };
}

/** CPU ms per lifecycle between two marks: stack / JVM / load generator. */
function cpuPerLifecycle(from: CpuMark, to: CpuMark, lifecycles: number, inProcess: boolean): string {
  const per = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined || lifecycles === 0 ? '?' : ((b - a) / lifecycles).toFixed(0);
  return inProcess
    ? `${per(from.client, to.client)} (with the load) / ${per(from.jvm, to.jvm)}`
    : `${per(from.stack, to.stack)} / ${per(from.jvm, to.jvm)} / ${per(from.client, to.client)}`;
}

/** DynamoDB Local: the `java` process whose parent is the stack's process. */
function findJvm(stackPid: number): number | undefined {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === stackPid && comm === 'java') return Number(entry);
      } catch {
        // the process ended while we looked
      }
    }
  } catch {
    // no /proc
  }
  return undefined;
}

interface Memory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  /** Memory outside the V8 heap that V8 knows of (Buffers, ArrayBuffers). */
  readonly external: number;
  readonly jvm: number | undefined;
}

/** The stack's memory after a full GC there: `usage()` collects and reports, `pid` is read for its RSS. */
async function memory(h: Harness, stack: StackMemory, jvm: number | undefined): Promise<Memory> {
  h.logs.length = 0;
  const { heapUsed, heapTotal, external, rss } = await stack.usage();
  return { rss: procRss(stack.pid) ?? rss, heapUsed, heapTotal, external, jvm: jvm === undefined ? undefined : procRss(jvm) };
}

interface StackMemory {
  readonly pid: number;
  usage(): Promise<NodeJS.MemoryUsage>;
}

say(`\nServerless Pizza local stack bench — node ${process.version}, ${os.cpus().length} CPUs, ${new Date().toISOString()}`);
say(
  `load average at start: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);

// --- start-up -------------------------------------------------------------------------------------
const readyTimes: number[] = [];
let h!: Harness;
let stackMemory: StackMemory;
if (stackProcess) {
  const remote = await startRemoteHarness(starts, {
    execArgv: stackCpuProfile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${stackCpuProfile}`],
  });
  h = remote.h;
  readyTimes.push(...remote.readyTimes);
  stackMemory = { pid: remote.h.pid, usage: () => remote.h.memory() };
} else {
  for (let i = 0; i < starts; i++) {
    const t0 = performance.now();
    h = await startHarness({ inMemory: true, port: 0 });
    readyTimes.push(performance.now() - t0);
    if (i < starts - 1) await h.stop();
  }
  stackMemory = {
    pid: process.pid,
    usage: async () => {
      gc();
      gc();
      return process.memoryUsage();
    },
  };
}
say(`stack ${stackProcess ? `in its own process (pid ${stackMemory.pid})` : 'in this process, with the load generator'}`);

const figures: string[] = [];
const figure = (name: string, value: string, target: string, ok: boolean | undefined) =>
  figures.push(`${name.padEnd(52)} ${value.padEnd(28)} ${target.padEnd(16)} ${ok === undefined ? '' : verdict(ok)}`);
const ready = quantile(readyTimes, 0.5);
figure(`ready (median of ${starts} starts, in memory)`, ms(ready), '≤ 4000 ms', ready <= 4000);

try {
  const parties: Parties = {
    customers: [await h.party('customer1'), await h.party('customer2')],
    store: await h.party('store1'),
    drivers: [await h.party('driver1'), await h.party('driver2')],
  };
  const operator = await h.party('operator');
  const queues = [h.stack.queueUrl(`store-${SEED_STORE_ID}`), h.stack.queueUrl('drivers')];
  const drainer = drain ? drainQueues(h, queues) : undefined;
  const events = new OrderEvents();
  const storeSocket = await openSocket(h.stack.realtimeUrl, h.stack.graphqlUrl, parties.store.token, events.listener);
  await storeSocket.subscribe({ storeId: SEED_STORE_ID });
  const jvm = findJvm(stackMemory.pid);
  const inProcess = !stackProcess;

  // --- warm-up, then memory before -----------------------------------------------------------------
  // The levels measure the stack warm, as it runs for most of its life: right after start the JITs
  // of Node and of DynamoDB Local's JVM are still compiling, and the first ~1,000 lifecycles run
  // at about two thirds of the warm rate. The warm-up's own figures say how much.
  const warm = await driveLifecycles(h, parties, events, 50, warmup);
  if (warm.lifecycles > 0)
    figure(
      `warm-up right after start, 50 customers (${warm.lifecycles} in ${warm.seconds.toFixed(1)} s): lifecycles/s, PLACED p99`,
      `${(warm.lifecycles / warm.seconds).toFixed(1)}, ${ms(quantile(warm.lag, 0.99))}`,
      '',
      undefined,
    );
  const before = await memory(h, stackMemory, jvm);
  let lifecyclesSinceBefore = 0;
  if (snapshots && inProcess) say(`heap snapshot before: ${writeHeapSnapshot()}`);

  // --- lifecycles at 1, 10, 50 customers ---------------------------------------------------------
  const failures = [...warm.failures];
  const cpuFigure = inProcess ? 'stack with load generator / JVM' : 'stack / JVM / load generator';
  for (const level of levels) {
    const cpuFrom = cpuMark(stackMemory.pid, jvm);
    const r = await driveLifecycles(h, parties, events, level.customers, level.lifecycles);
    const cpuTo = cpuMark(stackMemory.pid, jvm);
    lifecyclesSinceBefore += r.lifecycles;
    failures.push(...r.failures);
    const rate = r.lifecycles / r.seconds;
    const p50 = quantile(r.lag, 0.5);
    const p99 = quantile(r.lag, 0.99);
    const at50 = level.customers === 50;
    figure(
      `${level.customers} customers: lifecycles/s (${r.lifecycles} in ${r.seconds.toFixed(1)} s)`,
      rate.toFixed(1),
      at50 ? '≥ 40' : '',
      at50 ? rate >= 40 : undefined,
    );
    figure(
      `${level.customers} customers: placeOrder → PLACED at store, p50 / p99`,
      `${ms(p50)} / ${ms(p99)}`,
      at50 ? 'p99 ≤ 1000 ms' : '',
      at50 ? p99 <= 1000 : undefined,
    );
    figure(
      `${level.customers} customers: CPU ms per lifecycle, ${cpuFigure}`,
      cpuPerLifecycle(cpuFrom, cpuTo, r.lifecycles, inProcess),
      '',
      undefined,
    );
  }

  // --- 1,000 subscribers on 50 sockets -------------------------------------------------------------
  const perSocket = 20;
  const fanLatency: number[] = [];
  const sentAt = new Map<string, number>();
  const received = new Map<string, Set<string>>();
  let duplicates = 0;
  const sockets: RealtimeSocket[] = [];
  const fanListener = (socket: number) => (id: string, e: { orderId: string; status: string }, at: number) => {
    const sent = sentAt.get(e.orderId);
    if (sent === undefined || e.status !== 'PLACED') return;
    const key = `${socket}/${id}`;
    let seen = received.get(e.orderId);
    if (seen === undefined) received.set(e.orderId, (seen = new Set()));
    if (seen.has(key)) duplicates += 1;
    else {
      seen.add(key);
      fanLatency.push(at - sent);
    }
  };
  const socketCount = Math.ceil(subscribers / perSocket);
  for (let s = 0; s < socketCount; s++) {
    const socket = await openSocket(h.stack.realtimeUrl, h.stack.graphqlUrl, operator.token, fanListener(s));
    sockets.push(socket);
    const count = Math.min(perSocket, subscribers - s * perSocket);
    await Promise.all(Array.from({ length: count }, () => socket.subscribe({})));
  }
  for (let n = 0; n < fanoutOrders; n++) {
    const sent = performance.now();
    const { placeOrder } = await call<{ placeOrder: { orderId: string } }>(h, parties.customers[n % 2]!, PLACE_ORDER, {
      input: orderInput(),
    });
    sentAt.set(placeOrder.orderId, sent);
    await events.waitFor(placeOrder.orderId, (e) => e.status === 'PLACED', 'PLACED');
    events.forget(placeOrder.orderId);
  }
  // Every subscription has had the last order's event by now, or it is late: give stragglers 5 s.
  const deadline = performance.now() + 5000;
  while (fanLatency.length < subscribers * fanoutOrders && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const missed = subscribers * fanoutOrders - fanLatency.length;
  for (const socket of sockets) await socket.close();
  const fanP99 = quantile(fanLatency, 0.99);
  figure(
    `${subscribers} subscribers on ${socketCount} sockets × ${fanoutOrders} orders: missed`,
    `${missed} (duplicates ${duplicates})`,
    '0',
    missed === 0 && duplicates === 0,
  );
  figure(
    '  placeOrder → PLACED at each subscriber, p50 / p99',
    `${ms(quantile(fanLatency, 0.5))} / ${ms(fanP99)}`,
    'p99 ≤ 300 ms',
    fanP99 <= 300,
  );

  // --- reads -------------------------------------------------------------------------------------
  const reads = await compareReads(h, parties.customers[0]!, {
    requests: knob('BENCH_READ_REQUESTS', 1000),
    concurrency: 16,
    rounds: knob('BENCH_READ_ROUNDS', 3),
  });
  figure(
    'getOrder: local /graphql ÷ plain graphql-js floor',
    `${reads.ratio.toFixed(2)}× (${reads.local.perSecond.toFixed(0)} / ${reads.plain.perSecond.toFixed(0)} req/s)`,
    '≥ 0.80×',
    reads.ratio >= 0.8,
  );
  figure('  local p50 / p99', `${reads.local.p50.toFixed(1)} / ${reads.local.p99.toFixed(1)} ms`, '', undefined);
  figure('  floor p50 / p99', `${reads.plain.p50.toFixed(1)} / ${reads.plain.p99.toFixed(1)} ms`, '', undefined);

  // --- soak, then memory after ----------------------------------------------------------------------
  // In quarters, with the memory after each, to tell a level from a slope.
  const quarters: LevelResult[] = [];
  const rssPath: string[] = [`${mib(before.rss)} (${before.jvm === undefined ? '?' : mib(before.jvm)})`];
  const soakCpuFrom = cpuMark(stackMemory.pid, jvm);
  let soakCpuTo = soakCpuFrom;
  for (let q = 0; q < 4; q++) {
    const r = await driveLifecycles(h, parties, events, 50, Math.ceil(soak / 4), soakSeconds / 4);
    quarters.push(r);
    lifecyclesSinceBefore += r.lifecycles;
    failures.push(...r.failures);
    soakCpuTo = cpuMark(stackMemory.pid, jvm);
    const m = await memory(h, stackMemory, jvm);
    rssPath.push(`${mib(m.rss)} (${m.jvm === undefined ? '?' : mib(m.jvm)})`);
  }
  const soaked: LevelResult = {
    lifecycles: quarters.reduce((n, r) => n + r.lifecycles, 0),
    seconds: quarters.reduce((n, r) => n + r.seconds, 0),
    lag: quarters.flatMap((r) => r.lag),
    failures: [],
  };
  figure(
    `soak: lifecycles/s at 50 customers (${soaked.lifecycles} in ${soaked.seconds.toFixed(0)} s)`,
    (soaked.lifecycles / soaked.seconds).toFixed(1),
    '',
    undefined,
  );
  figure(
    '  placeOrder → PLACED at store, p50 / p99',
    `${ms(quantile(soaked.lag, 0.5))} / ${ms(quantile(soaked.lag, 0.99))}`,
    '',
    undefined,
  );
  figure(`  CPU ms per lifecycle, ${cpuFigure}`, cpuPerLifecycle(soakCpuFrom, soakCpuTo, soaked.lifecycles, inProcess), '', undefined);
  await h.stack.drainStreams();
  await drainer?.stop();
  const after = await memory(h, stackMemory, jvm);
  if (snapshots && inProcess) say(`heap snapshot after: ${writeHeapSnapshot()}`);
  const depths = await queueDepths(h, queues);
  figure(
    `Node RSS after warm-up (${warm.lifecycles}) → after ${lifecyclesSinceBefore} more`,
    `${mib(before.rss)} → ${mib(after.rss)}`,
    '',
    undefined,
  );
  figure('  Node RSS (JVM RSS) after each quarter of the soak', rssPath.join(' → '), '', undefined);
  figure(
    'memory bound after the soak: stack Node RSS / JVM RSS',
    `${mib(after.rss)} / ${after.jvm === undefined ? '?' : mib(after.jvm)}`,
    `≤ ${MEMORY_BOUND.stackRssMiB} / ${MEMORY_BOUND.jvmRssMiB} MiB`,
    after.rss <= MEMORY_BOUND.stackRssMiB * 2 ** 20 && after.jvm !== undefined && after.jvm <= MEMORY_BOUND.jvmRssMiB * 2 ** 20,
  );
  figure('  V8 heap used, same points (after a full GC)', `${mib(before.heapUsed)} → ${mib(after.heapUsed)}`, '', undefined);
  figure(
    '  V8 heap reserved / external, same points',
    `${mib(before.heapTotal)} / ${mib(before.external)} → ${mib(after.heapTotal)} / ${mib(after.external)}`,
    '',
    undefined,
  );
  figure(
    '  DynamoDB Local JVM RSS, same points',
    before.jvm === undefined || after.jvm === undefined ? 'not found in /proc' : `${mib(before.jvm)} → ${mib(after.jvm)}`,
    '',
    undefined,
  );
  figure(`  messages left in store / drivers queues${drain ? ' (drained)' : ' (not drained)'}`, depths.join(' / '), '', undefined);
  figure('lifecycles that failed', String(failures.length), '0', failures.length === 0);
  await storeSocket.close();

  say(
    `load average at end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  say(`${'figure'.padEnd(52)} ${'measured'.padEnd(28)} ${'target'.padEnd(16)}`);
  for (const line of figures) say(line);
  for (const f of failures.slice(0, 5)) say(`failure: ${f}`);
} finally {
  await h.stop();
}
