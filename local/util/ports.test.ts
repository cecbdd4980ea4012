import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createStopStack } from './disposables.js';
import { assertPortFree, findFreePort, PortInUseError } from './ports.js';

async function listen(host: string, port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host, port }, resolve));
  return server;
}

describe('findFreePort', () => {
  it('returns a port that can be bound on loopback', async () => {
    const port = await findFreePort('127.0.0.1');
    expect(port).toBeGreaterThan(0);
    const server = await listen('127.0.0.1', port);
    server.close();
  });
});

describe('assertPortFree', () => {
  it('resolves for a free port', async () => {
    const port = await findFreePort();
    await expect(assertPortFree('127.0.0.1', port)).resolves.toBeUndefined();
  });

  it('throws PortInUseError naming the port, the host and --port when the port is taken', async () => {
    const port = await findFreePort();
    const server = await listen('127.0.0.1', port);
    try {
      const error = await assertPortFree('127.0.0.1', port).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PortInUseError);
      expect(error).toMatchObject({ name: 'PortInUseError', port, host: '127.0.0.1' });
      expect((error as Error).message).toBe(`port ${port} on 127.0.0.1 is taken; choose another with --port`);
    } finally {
      server.close();
    }
  });
});

describe('createStopStack', () => {
  it('runs every stop newest first, logs failures and keeps going', async () => {
    const order: string[] = [];
    const logged: string[] = [];
    const stack = createStopStack((line) => logged.push(line));
    stack.push(() => void order.push('first'));
    stack.push(async () => {
      order.push('second');
      throw new Error('boom');
    }, 'server');
    stack.push(async () => void order.push('third'));

    await stack.stopAll();
    await stack.stopAll();

    expect(order).toEqual(['third', 'second', 'first']);
    expect(logged).toEqual(['stop failed (server): boom']);
    expect(stack.size).toBe(0);
  });
});
