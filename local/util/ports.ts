/**
 * Small helpers for servers that must live on loopback ports: pick a free port, fail with a
 * readable message when a chosen one is taken, and poll until something answers.
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

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly lastError: unknown,
  ) {
    super(
      `timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? '' : ` (last error: ${describeError(lastError)})`}`,
    );
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

export interface WaitForOptions {
  /** Give up after this long. @default 30_000 (ms) */
  readonly timeoutMs?: number;
  /** Pause between attempts. @default 100 (ms) */
  readonly intervalMs?: number;
  /** Named in the timeout message: "timed out after 30000 ms waiting for <what>". */
  readonly what: string;
  /** Stops waiting at once; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Calls `fn` until it returns without throwing and its result is not `false`; resolves with
 * that result. Rejects with {@link WaitTimeoutError} (carrying the last error) after `timeoutMs`.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, options: WaitForOptions): Promise<Exclude<T, false>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const result = await fn();
      if (result !== false) return result as Exclude<T, false>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    options.signal?.throwIfAborted();
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new WaitTimeoutError(options.what, timeoutMs, lastError);
    await sleep(Math.min(intervalMs, remaining), options.signal);
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
  return String(error);
}
