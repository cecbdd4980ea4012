/**
 * Log lines off the request path. `process.stdout.write` is synchronous on Linux for files, pipes
 * and terminals, so every handler's `console.log` (functions/lib/logger.ts) and every verbose
 * emulator line stalls the event loop until the reader takes it. A sink takes lines into memory
 * and writes them in one chunk per event-loop turn, after the turn's I/O callbacks (responses)
 * have run, waiting for `drain` when the stream pushes back. `flush()` (and, as a last resort,
 * process exit) writes what is left, so stopping loses no line.
 */
import { writeSync } from 'node:fs';
import { format } from 'node:util';

/** What a sink writes to: process.stdout, a file stream, a test double. */
export interface LineStream {
  write(chunk: string, callback: (error?: Error | null) => void): boolean;
  once(event: 'drain', listener: () => void): unknown;
  /** A file descriptor for the exit-time synchronous fallback (process.stdout has 1). */
  readonly fd?: number;
}

export interface LineSink {
  /** Queues one line (a newline is added). Never blocks. */
  write(line: string): void;
  /** Resolves once every queued line has been handed to the stream and the stream has taken it. */
  flush(): Promise<void>;
  /** Flushes, then stops the exit-time fallback. Idempotent. */
  close(): Promise<void>;
}

export interface LineSinkOptions {
  /** Largest chunk handed to the stream at once, in characters. @default 64 KiB */
  readonly maxChunkChars?: number;
}

export function createLineSink(stream: LineStream, options: LineSinkOptions = {}): LineSink {
  const maxChunk = options.maxChunkChars ?? 64 * 1024;
  let queue: string[] = [];
  let scheduled = false;
  let writing = false;
  let waiters: (() => void)[] = [];

  const settle = (): void => {
    if (queue.length > 0 || writing || scheduled) return;
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  };

  const takeChunk = (): string => {
    let size = 0;
    let count = 0;
    while (count < queue.length && (count === 0 || size + (queue[count]?.length ?? 0) <= maxChunk)) {
      size += (queue[count]?.length ?? 0) + 1;
      count += 1;
    }
    const lines = queue.slice(0, count);
    queue = queue.slice(count);
    return `${lines.join('\n')}\n`;
  };

  const pump = (): void => {
    scheduled = false;
    if (writing || queue.length === 0) {
      settle();
      return;
    }
    writing = true;
    let written = false;
    let drained = true;
    const next = (): void => {
      if (!written || !drained) return;
      writing = false;
      if (queue.length > 0) schedule();
      else settle();
    };
    drained = stream.write(takeChunk(), () => {
      written = true;
      next();
    });
    if (!drained) {
      stream.once('drain', () => {
        drained = true;
        next();
      });
    }
  };

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(pump);
  }

  // A process that exits without awaiting flush() (process.exit in a signal handler) still
  // gets its last lines out, synchronously, when the stream has a descriptor.
  const onExit = (): void => {
    if (queue.length === 0 || stream.fd === undefined) return;
    const rest = `${queue.join('\n')}\n`;
    queue = [];
    try {
      writeSync(stream.fd, rest);
    } catch {
      // Nowhere left to report it.
    }
  };
  process.on('exit', onExit);
  let closed: Promise<void> | null = null;

  const flush = (): Promise<void> =>
    new Promise<void>((resolve) => {
      waiters.push(resolve);
      if (queue.length > 0) schedule();
      settle();
    });

  return {
    write(line) {
      queue.push(line);
      schedule();
    },
    flush,
    close() {
      closed ??= flush().then(() => {
        process.off('exit', onExit);
      });
      return closed;
    },
  };
}

/** The console methods routed here, and those the Lambda host forwards to this thread (host.ts). */
export const CONSOLE_METHODS = ['log', 'info', 'debug', 'warn', 'error'] as const;
export type ConsoleMethod = (typeof CONSOLE_METHODS)[number];

/**
 * Sends `console.*` to sinks (stdout's for log/info/debug, stderr's for warn/error), formatted
 * as Node's console does. The Lambda handlers log through `console` (their host replays each call
 * on this thread's console: host.ts); the local stack's entry point calls this once. Returns a function that puts the original methods back.
 */
export function routeConsoleTo(out: LineSink, err: LineSink = out): () => void {
  const original = Object.fromEntries(CONSOLE_METHODS.map((m) => [m, console[m]])) as Record<ConsoleMethod, (...args: unknown[]) => void>;
  for (const method of CONSOLE_METHODS) {
    const sink = method === 'warn' || method === 'error' ? err : out;
    console[method] = (...args: unknown[]) => sink.write(format(...args));
  }
  return () => {
    for (const method of CONSOLE_METHODS) console[method] = original[method];
  };
}
