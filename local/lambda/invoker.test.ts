import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLambdaInvoker, LambdaFunctionError, UnknownFunctionError } from './invoker.js';

const invoker = createLambdaInvoker({
  rootDir: join(import.meta.dirname, 'fixtures'),
  region: 'us-east-1',
  accountId: '000000000000',
  functions: [
    { name: 'echo', entry: 'echo.ts', env: {} },
    { name: 'fails', entry: 'fails.ts', env: {} },
    { name: 'hangs', entry: 'hangs.ts', env: {}, timeoutSeconds: 1 },
    { name: 'missing', entry: 'missing.ts', env: {} },
  ],
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

  it('accepts a function ARN', async () => {
    expect(await invoker.invoke(invoker.arn('echo'), 1)).toMatchObject({ event: 1 });
  });

  it('reports a thrown error by its name, as Step Functions and AppSync see it', async () => {
    const error = await invoker.invoke('fails', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LambdaFunctionError);
    expect(error).toMatchObject({ name: 'OrderNotFound', errorType: 'OrderNotFound', message: 'order o1 does not exist' });
  });

  it('times a function out after its timeout', async () => {
    await expect(invoker.invoke('hangs', {})).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
  });

  it('reports a module that cannot load as Runtime.ImportModuleError, every time', async () => {
    for (let i = 0; i < 2; i++) {
      await expect(invoker.invoke('missing', {})).rejects.toMatchObject({ name: 'Runtime.ImportModuleError' });
    }
  });

  it('refuses an unknown function', async () => {
    await expect(invoker.invoke('nope', {})).rejects.toBeInstanceOf(UnknownFunctionError);
  });
});
