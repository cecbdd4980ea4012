/**
 * Small helpers for servers that must live on loopback ports: pick a free port, and fail with a
 * readable message when a chosen one is taken. (Waiting until something answers: `wait.ts`.)
 */
import { createServer } from 'node:net';

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`port ${port} on ${host} is taken; choose another with --port`);
  }
}

/**
 * A port that was free on `host` a moment ago (the OS picks it). Another process may take it
 * before the caller binds it; callers that bind themselves should prefer listening on port 0.
 * @default host '127.0.0.1'
 */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => (port === undefined ? reject(new Error(`could not read the port picked on ${host}`)) : resolve(port)));
    });
  });
}

/** Resolves when `port` can be bound on `host`; throws {@link PortInUseError} when it is taken. */
export async function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' || error.code === 'EACCES' ? new PortInUseError(host, port) : error);
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}
