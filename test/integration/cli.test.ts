/**
 * `npm start` as a user runs it, when it does not start: its options, and clear messages instead
 * of stack traces (port taken, Java missing, a bad option). A stack that does start (printed
 * URLs, amplify-config.json and demo-users.json, Ctrl-C, data surviving a restart) is
 * persistent-stack.test.ts's, which starts it anyway.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, it, type onTestFinished } from 'vitest';
import { REPO_ROOT } from '../../local/stack.js';

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
