/**
 * `npm start` as a user runs it, when it does not start: its options, and clear messages instead
 * of stack traces (port taken, Java missing, a bad option). A stack that does start (printed
 * URLs, amplify-config.json and demo-users.json, Ctrl-C, data surviving a restart) is
 * persistent-stack.test.ts's, which starts it anyway.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Amplify } from 'aws-amplify';
import { confirmSignUp, signUp } from 'aws-amplify/auth';
import { describe, it, type onTestFinished } from 'vitest';
import type { Order } from '../../generated/graphql.js';
import { SEED_STORE_ID } from '../../infra/seed-stores.js';
import { REPO_ROOT, type DemoUser } from '../../local/stack.js';
import { waitFor } from '../../local/util/wait.js';
import { gql, orderInput, signInParty } from './harness.js';
import { PLACE_ORDER } from './operations.js';

/** Exactly what `npm start` runs (package.json). */
const NODE_ARGS = ['--import', 'tsx', '--disable-warning=ExperimentalWarning', 'local/cli.ts'];

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `npm start` with `args`; the child is killed when the test that started it ends. */
function start(finished: typeof onTestFinished, args: string[], env: NodeJS.ProcessEnv = process.env): Started {
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  finished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

// Each case is its own short-lived process: they run side by side.
describe.concurrent('npm start', () => {
  it('explains its options', async ({ expect, onTestFinished }) => {
    const s = start(onTestFinished, ['--help']);
    expect(await s.exited).toBe(0);
    expect(s.output()).toContain('--in-memory');
    expect(s.output()).toContain('--port');
  });

  it('says the port is taken instead of printing a stack trace', async ({ expect, onTestFinished }) => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const s = start(onTestFinished, ['--port', String(port), '--in-memory']);
      expect(await s.exited).toBe(1);
      expect(s.output()).toContain(`port ${port} on 127.0.0.1 is taken`);
      expect(s.output()).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });

  it('says Java is missing instead of printing a stack trace', async ({ expect, onTestFinished }) => {
    const s = start(onTestFinished, ['--port', '0', '--in-memory'], { ...process.env, PATH: '/nonexistent' });
    expect(await s.exited).toBe(1);
    expect(s.output()).toMatch(/Java/);
    expect(s.output()).not.toMatch(/\n\s+at /);
  });

  it('refuses a bad option with the usage', async ({ expect, onTestFinished }) => {
    const s = start(onTestFinished, ['--port', 'eighty']);
    expect(await s.exited).toBe(1);
    expect(s.output()).toContain('--port must be a whole number');
  });
});

/** Exactly what `npm run order` runs (package.json). */
const INSPECT_ARGS = ['--import', 'tsx', '--disable-warning=ExperimentalWarning', 'local/inspect-order.ts'];

function inspect(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [...INSPECT_ARGS, ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('npm run order', { timeout: 180_000 }, () => {
  it('prints a waiting order, its workflow state and its store alert; says when the order or the stack is not there', async ({
    expect,
    onTestFinished,
  }) => {
    // Arrange: a persistent stack on a temp data folder given through the env, as the default folder would be.
    const tmp = await mkdtemp(join(tmpdir(), 'pizza-inspect-'));
    const env = { ...process.env, PIZZA_DATA_DIR: join(tmp, 'data') };
    onTestFinished(() => rm(tmp, { recursive: true, force: true }));
    expect(inspect(['some-order'], env)).toMatchObject({ status: 1, stderr: expect.stringContaining('no local stack is running') });
    const s = start(onTestFinished, ['--port', '0', '--amplify-config', join(tmp, 'amplify-config.json')], env);
    onTestFinished(async () => {
      s.child.kill('SIGINT');
      await s.exited;
    });
    await waitFor(() => s.output().includes('Press Ctrl-C to stop.'), { what: 'the stack to be ready', timeoutMs: 120_000 });
    expect(s.output()).toMatch(new RegExp(`${SEED_STORE_ID}\\s+Beltline Slice`));
    expect(s.output()).toMatch(/Step Functions\s+http:\/\/127\.0\.0\.1:\d+\s+workflow OrderWorkflow/);
    expect(s.output()).toContain(`queues drivers, store-${SEED_STORE_ID}, `);
    expect(s.output()).toMatch(/, store-dlq \(fauxqs\)/);
    expect(s.output()).toContain('npm run order -- <orderId>');
    expect(s.output()).toMatch(/Metrics\s+http:\/\/127\.0\.0\.1:\d+\/local\/metrics\s/);
    Amplify.configure(JSON.parse(await readFile(join(tmp, 'amplify-config.json'), 'utf8')));
    const users = JSON.parse(await readFile(join(tmp, 'demo-users.json'), 'utf8')) as DemoUser[];
    // demo-users.json lists customers, staff and drivers; the operator is in a file of its own, and both are printed.
    expect(new Set(users.map((u) => u.role))).toEqual(new Set(['customer', 'store', 'driver']));
    expect(JSON.parse(await readFile(join(tmp, 'demo-operators.json'), 'utf8'))).toEqual([
      { username: 'operator@pizza.example', password: 'Pizza-Demo-1', role: 'operator' },
    ]);
    expect(s.output()).toMatch(/operator@pizza\.example\s+Pizza-Demo-1\s+operator/);
    const customer = await signInParty(users, 'customer1');
    const { placeOrder: order } = await gql<{ placeOrder: Order }>(customer, PLACE_ORDER, {
      input: orderInput({ storeId: SEED_STORE_ID }),
    });

    // Act: once the workflow waits for the store and the alert is queued (the --json form says so).
    await waitFor(
      () => {
        const run = inspect([order.orderId, '--json'], env);
        const report = JSON.parse(run.stdout) as {
          workflow: { position: { task: { tokenIssuedAt: string | null } | null } | null } | null;
          alerts: unknown[];
        };
        return report.workflow?.position?.task?.tokenIssuedAt != null && report.alerts.length > 0;
      },
      { what: 'the workflow to wait for the store', timeoutMs: 60_000, intervalMs: 500 },
    );
    const shown = inspect([order.orderId], env);

    // Assert
    expect(shown.status).toBe(0);
    expect(shown.stdout).toMatch(/status +PLACED/);
    expect(shown.stdout).toMatch(/now at {2}AwaitStoreDecision \(Task\): waiting for its task token \(issued [^)]+\); times out at \S+/);
    expect(shown.stdout).toMatch(new RegExp(`store-${SEED_STORE_ID} +Order\\.Placed +ready`));
    expect(shown.stdout).toContain('storeTaskToken');
    expect(shown.stdout).not.toMatch(/[A-Za-z0-9+/=]{100,}/);
    expect(inspect(['no-such-order'], env)).toMatchObject({ status: 1, stderr: expect.stringContaining('no order no-such-order') });

    // A new customer's sign-up code is printed (no mail leaves the machine) and confirms the account.
    const email = `cli-${Date.now()}@example.com`;
    await signUp({ username: email, password: 'Fresh-Pie-42', options: { userAttributes: { email } } });
    const printed = new RegExp(`Confirmation code for ${email.replace(/[.]/g, '\\.')}: (\\d{6})`);
    const code = await waitFor(() => printed.exec(s.output())?.[1] ?? false, { what: 'the printed code', timeoutMs: 10_000 });
    expect(await confirmSignUp({ username: email, confirmationCode: code })).toMatchObject({ isSignUpComplete: true });
  });
});
