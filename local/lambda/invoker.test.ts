import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { FunctionSpec } from '../../infra/manifest-types.js';
import { createLambdaInvoker, InvokerClosedError, LambdaFunctionError, UnknownFunctionError, type LambdaInvoker } from './invoker.js';

const FUNCTIONS: readonly FunctionSpec[] = [
  { name: 'echo', entry: 'echo.ts', env: {} },
  { name: 'fails', entry: 'fails.ts', env: {} },
  { name: 'hangs', entry: 'hangs.ts', env: {}, timeoutSeconds: 1 },
  { name: 'missing', entry: 'missing.ts', env: {} },
  { name: 'no-handler', entry: 'no-handler.ts', env: {} },
  { name: 'thread', entry: 'thread.ts', env: {} },
  { name: 'logs', entry: 'logs.ts', env: {} },
  // Both invocations must be inside the handler at once, or the first times out.
  { name: 'meet', entry: 'meet.ts', env: {}, timeoutSeconds: 5 },
  { name: 'crashes', entry: 'crashes.ts', env: {} },
];

const logged: string[] = [];
const newInvoker = (): LambdaInvoker =>
  createLambdaInvoker({
    rootDir: join(import.meta.dirname, 'fixtures'),
    region: 'us-east-1',
    accountId: '000000000000',
    functions: FUNCTIONS,
    logger: (line) => logged.push(line),
  });
const invoker = newInvoker();

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await invoker.close();
});

describe('createLambdaInvoker', () => {
  it('passes the event and a Lambda-shaped context, and returns JSON as Lambda would', async () => {
    const out = (await invoker.invoke('echo', { orderId: 'o1' })) as Record<string, unknown>;
    expect(out.event).toEqual({ orderId: 'o1' });
    expect(out.functionName).toBe('echo');
    expect(out.arn).toBe('arn:aws:lambda:us-east-1:000000000000:function:echo');
    expect(out.remaining).toBeGreaterThan(9000);
    expect(out.when).toBe('1970-01-01T00:00:00.000Z');
  });

  it('runs the handlers off the calling thread', async () => {
    const host = await invoker.invoke('thread', {});
    expect(host).toEqual(expect.any(Number));
    expect(host).not.toBe(threadId);
  });

  it('accepts a function ARN', async () => {
    expect(await invoker.invoke(invoker.arn('echo'), 1)).toMatchObject({ event: 1 });
  });

  it('reports a thrown error by its name, as Step Functions and AppSync see it, and logs it', async () => {
    const error = await invoker.invoke('fails', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LambdaFunctionError);
    expect(error).toMatchObject({ name: 'OrderNotFound', errorType: 'OrderNotFound', message: 'order o1 does not exist' });
    expect(logged).toContain('[fails] OrderNotFound: order o1 does not exist');
  });

  it('times a function out after its timeout, from its start once loaded and from the call when warm', async () => {
    for (let i = 0; i < 2; i++) {
      await expect(invoker.invoke('hangs', {})).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
    }
  });

  it('reports a module that cannot load as Runtime.ImportModuleError, every time', async () => {
    for (let i = 0; i < 2; i++) {
      await expect(invoker.invoke('missing', {})).rejects.toMatchObject({ name: 'Runtime.ImportModuleError' });
    }
  });

  it('reports a module without a handler function as Runtime.HandlerNotFound', async () => {
    await expect(invoker.invoke('no-handler', {})).rejects.toMatchObject({
      name: 'Runtime.HandlerNotFound',
      message: 'no-handler.ts does not export a handler function',
    });
  });

  it('refuses an unknown function', async () => {
    await expect(invoker.invoke('nope', {})).rejects.toBeInstanceOf(UnknownFunctionError);
  });

  it("replays the handler's console calls on this thread's console, formatted, in order, before the result", async () => {
    const lines: string[] = [];
    for (const method of ['log', 'info', 'debug', 'warn', 'error'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(`${method}: ${args.join('|')}`));
    }
    expect(await invoker.invoke('logs', {})).toBe('logged');
    expect(lines).toEqual(['log: log one { n: 1 }', 'error: error two', 'info: info three', 'warn: warn four', 'debug: debug five']);
  });

  it('runs invocations concurrently', async () => {
    expect(await Promise.all([invoker.invoke('meet', {}), invoker.invoke('meet', {})])).toEqual(['met', 'met']);
  });

  it('fails the invocations in flight when the host dies, and starts a new host for the next', async () => {
    const before = await invoker.invoke('thread', {});
    const [crashed, hung] = await Promise.all([
      invoker.invoke('crashes', {}).catch((e: unknown) => e),
      invoker.invoke('hangs', {}).catch((e: unknown) => e),
    ]);
    for (const error of [crashed, hung]) {
      expect(error).toBeInstanceOf(LambdaFunctionError);
      expect(error).toMatchObject({ name: 'Runtime.ExitError', message: expect.stringContaining('the host is going down') });
    }
    const after = await invoker.invoke('thread', {});
    expect(after).not.toBe(before);
    expect(await invoker.invoke('echo', 2)).toMatchObject({ event: 2 });
  });
});

describe('close', () => {
  it('ends the host: invocations in flight fail, later ones are refused', async () => {
    const closing = newInvoker();
    expect(await closing.invoke('echo', 1)).toMatchObject({ event: 1 });
    const inFlight = closing.invoke('hangs', {}).catch((e: unknown) => e);
    await closing.close();
    expect(await inFlight).toMatchObject({ name: 'Runtime.ExitError' });
    await expect(closing.invoke('echo', 1)).rejects.toBeInstanceOf(InvokerClosedError);
    await closing.close();
  });
});
