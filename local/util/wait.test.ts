import { afterEach, describe, expect, it, vi } from 'vitest';
import { sleep, waitFor, WaitTimeoutError } from './wait.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('waitFor', () => {
  it('retries until the check succeeds and returns its result', async () => {
    let calls = 0;
    const result = await waitFor(
      () => {
        calls++;
        if (calls < 3) throw new Error('not yet');
        return 'ready';
      },
      { what: 'the thing', intervalMs: 5, timeoutMs: 1000 },
    );
    expect(result).toBe('ready');
    expect(calls).toBe(3);
  });

  it('treats false as not ready yet', async () => {
    let calls = 0;
    const result = await waitFor(() => ++calls >= 2 && calls, { what: 'x', intervalMs: 5 });
    expect(result).toBe(2);
  });

  it('awaits an async check', async () => {
    let calls = 0;
    await expect(waitFor(async () => ++calls === 2, { what: 'x', intervalMs: 5 })).resolves.toBe(true);
  });

  it('times out with WaitTimeoutError naming what it waited for and the last error', async () => {
    const error = await waitFor(
      () => {
        throw new Error('connection refused');
      },
      { what: 'the emulator', intervalMs: 10, timeoutMs: 50 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error).toMatchObject({ what: 'the emulator', timeoutMs: 50 });
    expect((error as Error).message).toBe('timed out after 50 ms waiting for the emulator (last error: connection refused)');
  });

  it('names no last error when the check only answered false', async () => {
    await expect(waitFor(() => false, { what: 'the queue to drain', intervalMs: 5, timeoutMs: 20 })).rejects.toThrow(
      /^timed out after 20 ms waiting for the queue to drain$/,
    );
  });

  it('stops at once when its signal aborts, without waiting out the interval', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    let calls = 0;
    const waiting = waitFor(() => ++calls > 100, { what: 'x', intervalMs: 60_000, signal: controller.signal });
    await vi.waitFor(() => expect(calls).toBe(1));

    controller.abort(new Error('process exited'));

    // Fake timers never advance: only the abort can settle the promise.
    await expect(waiting).rejects.toThrow('process exited');
    expect(calls).toBe(1);
  });

  it('rejects at once when the signal has already aborted, without calling the check', async () => {
    const check = vi.fn(() => true);
    await expect(waitFor(check, { what: 'x', signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow('gone');
    expect(check).not.toHaveBeenCalled();
  });
});

describe('sleep', () => {
  it('resolves once its time has passed', async () => {
    vi.useFakeTimers();
    let done = false;
    const sleeping = sleep(1000).then(() => (done = true));

    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(done).toBe(true);
  });
});
