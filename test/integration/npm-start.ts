/**
 * `npm start` as a user runs it, for the persistent-stack tests: a child process (its own process
 * group) on a temp data folder, its output, its parties signed in from the files it wrote, and
 * the emulator endpoints its banner names.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Amplify } from 'aws-amplify';
import { afterAll, afterEach, onTestFailed } from 'vitest';
import type { Order } from '../../generated/graphql.js';
import { SEED_STORE_ID } from '../../infra/seed-stores.js';
import { REPO_ROOT, type DemoUser } from '../../local/stack.js';
import { gql, orderInput, signInParty, type Party, type PartyName } from './harness.js';
import { GET_ORDER, PLACE_ORDER } from './operations.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/util/aws.js';
import { waitFor } from '../../local/util/wait.js';

/** Exactly what `npm start` runs (package.json). */
const NODE_ARGS = ['--import', 'tsx', '--disable-warning=ExperimentalWarning', 'local/cli.ts'];
const children: ChildProcess[] = [];
const tmps: string[] = [];

/** Registers the clean-up of every stack, JVM and temp folder the calling test file starts. */
export function cleanUpStacks(): void {
  afterEach(() => {
    // Each stack runs in its own process group (detached); end the whole group.
    for (const child of children.splice(0)) {
      if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
    }
  });
  afterAll(async () => {
    for (const dir of tmps.splice(0)) {
      for (const pid of jvmsFor(dir)) process.kill(Number(pid), 'SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
}

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export interface Started {
  child: ChildProcess;
  pid: number;
  output: () => string;
  exited: Promise<number | null>;
}

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pizza-persist-'));
  tmps.push(dir);
  return dir;
}

export function start(tmp: string, extra: readonly string[] = []): Started {
  const args = ['--port', '0', '--data-dir', join(tmp, 'data'), '--amplify-config', join(tmp, 'amplify-config.json'), ...extra];
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  onTestFailed(() => void process.stderr.write(`--- output of npm start (pid ${child.pid}) ---\n${out}\n`));
  if (child.pid === undefined) throw new Error('node did not start');
  return { child, pid: child.pid, output: () => out, exited };
}

export async function ready(s: Started): Promise<void> {
  const exited = new AbortController();
  const onExit = () => exited.abort(new Error(`npm start exited early:\n${s.output()}`));
  if (s.child.exitCode !== null) onExit();
  else s.child.once('exit', onExit);
  try {
    await waitFor(() => s.output().includes('Press Ctrl-C to stop.'), {
      what: 'the stack to be ready',
      timeoutMs: 90_000,
      signal: exited.signal,
    });
  } finally {
    s.child.off('exit', onExit);
  }
}

export function until(check: () => boolean, what: string): Promise<true> {
  return waitFor(check, { what, timeoutMs: 20_000 });
}

/** PIDs of DynamoDB Local JVMs whose command line mentions `marker` (its data folder). */
export function jvmsFor(marker: string): string[] {
  const out = spawnSync('pgrep', ['-f', `DynamoDBLocal.jar.*${marker}`], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter((l) => l.trim() !== '');
}

/** The parties of a running stack, signed in from the amplify-config.json and demo-users.json it wrote. */
export async function partiesOf<N extends PartyName>(tmp: string, ...names: N[]): Promise<Record<N, Party>> {
  Amplify.configure(JSON.parse(await readFile(join(tmp, 'amplify-config.json'), 'utf8')));
  const users = JSON.parse(await readFile(join(tmp, 'demo-users.json'), 'utf8')) as DemoUser[];
  const parties = {} as Record<N, Party>;
  for (const name of names) parties[name] = await signInParty(users, name);
  return parties;
}

export async function placeOrder(customer: Party, input = orderInput()): Promise<Order> {
  return (await gql<{ placeOrder: Order }>(customer, PLACE_ORDER, { input })).placeOrder;
}

export async function getOrder(party: Party, orderId: string): Promise<Order> {
  return (await gql<{ getOrder: Order }>(party, GET_ORDER, { orderId })).getOrder;
}

/** Polls the order until `holds` is true of it; resolves with it. */
export function orderWhere(party: Party, orderId: string, holds: (o: Order) => boolean, what: string): Promise<Order> {
  return waitFor(
    async () => {
      const order = await getOrder(party, orderId);
      return holds(order) && order;
    },
    { what: `order ${orderId}: ${what}`, timeoutMs: 60_000, intervalMs: 250 },
  );
}

export function sfnClientFor(output: string): SFNClient {
  const endpoint = /Step Functions ready on (http:\/\/\S+)/.exec(output)?.[1];
  if (endpoint === undefined) throw new Error(`no Step Functions endpoint in:\n${output}`);
  return new SFNClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

export async function executionsNamed(output: string, orderId: string): Promise<number> {
  const sfn = sfnClientFor(output);
  try {
    const arn = `arn:aws:states:${LOCAL_REGION}:000000000000:stateMachine:OrderWorkflow`;
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }));
    return (executions ?? []).filter((e) => e.name === orderId).length;
  } finally {
    sfn.destroy();
  }
}

export async function executionStatus(output: string, orderId: string): Promise<string | undefined> {
  const sfn = sfnClientFor(output);
  try {
    const arn = `arn:aws:states:${LOCAL_REGION}:000000000000:execution:OrderWorkflow:${orderId}`;
    return (await sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).status;
  } finally {
    sfn.destroy();
  }
}

/** `"order update published"` log lines (publishOrderUpdate's own) for one order. */
export function publishedVersions(output: string, orderId: string): number[] {
  return output
    .split('\n')
    .filter((line) => line.includes('"order update published"') && line.includes(orderId))
    .map((line) => Number(/"version":(\d+)/.exec(line)?.[1]));
}

/** The store queue of the seed store on the SNS/SQS endpoint this stack's output names. */
export function storeQueueUrl(output: string): string {
  const endpoint = /SNS\/SQS \(fauxqs\) ready on (http:\/\/\S+)/.exec(output)?.[1];
  if (endpoint === undefined) throw new Error(`no SNS/SQS endpoint in:\n${output}`);
  return `${endpoint}/000000000000/store-${SEED_STORE_ID}`;
}

export function sqsClient(queueUrl: string): SQSClient {
  return new SQSClient({ endpoint: new URL(queueUrl).origin, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}
