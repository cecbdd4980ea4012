/**
 * Reads what the Lambdas log, without changing where it goes. The handlers run on the Lambda
 * host's thread (local/lambda/invoker.ts), which replays each console call on the main thread's
 * console, in order. Powertools Metrics writes each EMF document as one string through
 * `console.log` of the global console (the local stack sets POWERTOOLS_DEV, which makes it use
 * that console rather than one of its own), and looks `log` up on every call, so wrapping `console.log` sees every document; the wrapped
 * function (stdout, the CLI's log sink, a test's capture) still gets every call unchanged.
 */

/**
 * Calls `onLine` with the text of every one-string `console.log` call (Powertools' EMF and
 * Logger lines are one string each), then the original. `onLine` must not throw: it runs inside
 * the handler's logging call. Returns the stop function: it puts the
 * original back if nobody wrapped `console.log` since, and otherwise leaves the wrapper in
 * place, inert (restoring would undo the later wrapper).
 */
export function tapConsoleLog(onLine: (line: string) => void): () => void {
  const original = console.log;
  let active = true;
  const tapped = (...args: unknown[]): void => {
    if (active && args.length === 1 && typeof args[0] === 'string') onLine(args[0]);
    original.apply(console, args);
  };
  console.log = tapped;
  return () => {
    active = false;
    if (console.log === tapped) console.log = original;
  };
}
