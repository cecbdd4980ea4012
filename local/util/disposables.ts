/**
 * A stack of stop functions. `stopAll()` runs them in reverse order of registration (the last
 * thing started is the first stopped), runs every one even when some fail, logs each failure,
 * and never rejects: shutting down must not stop half way.
 */
import { describeError } from './errors.js';

export type StopFn = () => void | Promise<void>;

export interface StopStack {
  /** Registers a stop function; returns it so callers can keep a reference. */
  push(stop: StopFn, label?: string): void;
  /** Runs every registered stop function once, newest first. Later calls are no-ops. */
  stopAll(): Promise<void>;
  readonly size: number;
}

export function createStopStack(logger: (line: string) => void = () => undefined): StopStack {
  const entries: { stop: StopFn; label: string | undefined }[] = [];
  let stopping: Promise<void> | undefined;
  return {
    push(stop, label) {
      entries.push({ stop, label });
    },
    get size() {
      return entries.length;
    },
    stopAll() {
      stopping ??= (async () => {
        while (entries.length > 0) {
          const entry = entries.pop();
          if (entry === undefined) break;
          try {
            await entry.stop();
          } catch (error) {
            logger(`stop failed${entry.label === undefined ? '' : ` (${entry.label})`}: ${describeError(error)}`);
          }
        }
      })();
      return stopping;
    },
  };
}
