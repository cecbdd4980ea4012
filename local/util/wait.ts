/**
 * The one way the local stack and its tests wait for a condition (a port answering, DynamoDB
 * Local ready, a message arriving, an execution finishing): poll `check` until it holds, with a
 * deadline and an abort signal, and fail with a message naming what was awaited. Prefer awaiting
 * the event itself when there is one; poll only what offers no notification.
 */
import { describeError } from './errors.js';

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

export interface WaitForOptions {
  /** Named in the timeout message: "timed out after 30000 ms waiting for <what>". */
  readonly what: string;
  /** Give up after this long. @default 30_000 (ms) */
  readonly timeoutMs?: number;
  /** Pause between attempts. @default 100 (ms) */
  readonly intervalMs?: number;
  /** Stops waiting at once; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Calls `check` until it returns without throwing and its result is not `false` (so a
 * check may either throw or answer `false` while not ready); resolves with that result. Rejects with {@link WaitTimeoutError} (carrying the
 * last error `check` threw) after `timeoutMs`, or with the signal's reason when it aborts.
 */
export async function waitFor<T>(check: () => T | Promise<T>, options: WaitForOptions): Promise<Exclude<T, false>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const result = await check();
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
