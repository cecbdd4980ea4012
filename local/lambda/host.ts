/**
 * The Lambda host: the worker thread the invoker (invoker.ts) runs the handlers in, so their
 * work (Powertools, the SDK's serialize, sign, HTTP and parse) runs beside the stack's event
 * loop rather than on it. It imports each function's module once, at its first invocation, and
 * runs any number of invocations at once, as the stack did in-process.
 *
 * Every `console.log/info/debug/warn/error` call is sent to the main thread as its formatted
 * text, where the same method is called: the stack's log sink, the metrics tap and the tests'
 * capture all wrap the main thread's console.
 */
import { format } from 'node:util';
import { parentPort } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import type { HostMessage, InvokeMessage } from './host-protocol.js';
import { CONSOLE_METHODS } from './log-sink.js';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

class InitError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

const port = parentPort;
if (port === null) throw new Error('local/lambda/host.ts runs as a worker thread (invoker.ts starts it)');
/**
 * Messages go out in one batch per event-loop turn: the main thread takes a batch in one
 * callback, where one message each would cost it a callback per log line.
 */
let outbox: HostMessage[] = [];
const flush = (): void => {
  port.postMessage(outbox);
  outbox = [];
};
const send = (message: HostMessage): void => {
  if (outbox.push(message) === 1) setImmediate(flush);
};

for (const method of CONSOLE_METHODS) {
  console[method] = (...args: unknown[]) => send({ type: 'console', method, text: format(...args) });
}

const handlers = new Map<string, Promise<Handler>>();

/** Lambda's init phase: an import that fails is `Runtime.ImportModuleError`, and is retried next time. */
async function load({ name, entry, url }: InvokeMessage): Promise<Handler> {
  let mod: unknown;
  try {
    mod = await import(url);
  } catch (error) {
    handlers.delete(name);
    throw new InitError('Runtime.ImportModuleError', `${entry}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const handler = typeof mod === 'object' && mod !== null && 'handler' in mod ? mod.handler : undefined;
  if (typeof handler !== 'function') {
    handlers.delete(name);
    throw new InitError('Runtime.HandlerNotFound', `${entry} does not export a handler function`);
  }
  return handler as Handler;
}

async function invoke(message: InvokeMessage): Promise<void> {
  const { id, name } = message;
  let handler: Handler;
  try {
    let loading = handlers.get(name);
    if (loading === undefined) {
      loading = load(message);
      handlers.set(name, loading);
    }
    handler = await loading;
  } catch (error) {
    const init = error instanceof InitError ? error : new InitError('Runtime.ImportModuleError', String(error));
    send({ type: 'error', id, phase: 'init', errorType: init.errorType, errorMessage: init.message });
    return;
  }
  const deadline = Date.now() + message.timeoutMs;
  const context: Context = {
    ...message.context,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  if (message.announceStart) send({ type: 'started', id });
  try {
    const result = await handler(message.event, context);
    // Lambda returns JSON: what cannot be serialized does not reach the caller.
    const json = result === undefined ? 'null' : (JSON.stringify(result) as string | undefined);
    if (json === undefined) throw new TypeError(`the handler returned ${typeof result}, which is not JSON`);
    send({ type: 'result', id, json });
  } catch (error) {
    send({
      type: 'error',
      id,
      phase: 'handler',
      errorType: error instanceof Error ? error.name : 'Error',
      errorMessage: error instanceof Error ? error.message : String(error),
    });
  }
}

port.on('message', (message: InvokeMessage) => void invoke(message));
