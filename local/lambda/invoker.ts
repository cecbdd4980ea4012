/**
 * Runs the Lambda handlers as Lambda would: a Lambda-shaped event and context, the function's
 * timeout, and errors reported as `{ errorType, errorMessage }` (the rejection is a
 * LambdaFunctionError whose `name` is the errorType, which is what Step Functions' Catch and
 * AppSync's `ctx.error` see).
 *
 * The handlers run in one worker thread, the Lambda host (host.ts), started at the first
 * invocation: their CPU work (Powertools, the SDK's serialize, sign, HTTP and parse; a third of
 * the stack's main thread under load) then runs on another core than the emulators' event
 * loop. One thread, not one per function: each holds its own copy of the SDK. Invocations run
 * concurrently inside it, as async handlers do in one process. A host that dies fails its
 * invocations in flight (Runtime.ExitError) and is replaced at the next invocation.
 *
 * The host shares `process.env` with the stack (SHARE_ENV): the stack sets the union of every
 * function's variables (names mean the same resource for every function), and handlers see
 * changes live. Their console lines are replayed on this thread's console (host-protocol.ts).
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import type { FunctionSpec } from '../../infra/manifest-types.js';
import type { ContextFields, HostMessage, InvokeMessage } from './host-protocol.js';

/** @default 10 s, as in the manifest. */
export const DEFAULT_TIMEOUT_SECONDS = 10;

export class LambdaFunctionError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
  override get name(): string {
    return this.errorType;
  }
}

export class UnknownFunctionError extends Error {
  override readonly name = 'ResourceNotFoundException';
  constructor(nameOrArn: string) {
    super(`Function not found: ${nameOrArn}`);
  }
}

export interface LambdaInvokerOptions {
  readonly functions: readonly FunctionSpec[];
  readonly rootDir: string;
  readonly region: string;
  readonly accountId: string;
  readonly logger?: (line: string) => void;
}

export interface LambdaInvoker {
  arn(name: string): string;
  /** Accepts a function name or ARN; resolves with the handler's result. */
  invoke(nameOrArn: string, event: unknown): Promise<unknown>;
  /** Ends the host thread; invocations in flight fail (Runtime.ExitError), later ones are refused. Idempotent. */
  close(): Promise<void>;
}

export class InvokerClosedError extends Error {
  override readonly name = 'InvokerClosedError';
  constructor() {
    super('the Lambda invoker is closed');
  }
}

/** The worker's entry, and tsx (by absolute URL, whatever the working folder) to load it and the handlers. */
const HOST_ENTRY = new URL('./host.ts', import.meta.url);
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * tsx, and the CPU profiler's flags when this process has them (`npm run bench` with
 * BENCH_STACK_CPU_PROF: the host writes a profile of its own). A worker given `execArgv` inherits
 * none of the process's.
 */
function hostExecArgv(): string[] {
  return ['--import', TSX, ...process.execArgv.filter((arg) => arg.startsWith('--cpu-prof'))];
}

interface Pending {
  readonly spec: FunctionSpec;
  readonly resolve: (json: string) => void;
  readonly reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

/** The worker thread, its invocations in flight, and the functions it has loaded. */
interface Host {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  readonly warm: Set<string>;
}

export function createLambdaInvoker(options: LambdaInvokerOptions): LambdaInvoker {
  const byName = new Map(options.functions.map((f) => [f.name, f]));
  const arn = (name: string) => `arn:aws:lambda:${options.region}:${options.accountId}:function:${name}`;
  let host: Host | undefined;
  let closed = false;
  let nextId = 0;

  function specFor(nameOrArn: string): FunctionSpec {
    const name = nameOrArn.startsWith('arn:') ? (nameOrArn.split(':')[6] ?? '') : nameOrArn;
    const spec = byName.get(name);
    if (spec === undefined) throw new UnknownFunctionError(nameOrArn);
    return spec;
  }

  const timeoutMsOf = (spec: FunctionSpec) => (spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;

  function failAll(h: Host, message: string): void {
    for (const p of h.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new LambdaFunctionError('Runtime.ExitError', message));
    }
    h.pending.clear();
  }

  function onMessage(h: Host, message: HostMessage): void {
    if (message.type === 'console') {
      console[message.method](message.text);
      return;
    }
    const p = h.pending.get(message.id);
    if (p === undefined) return; // timed out already: Lambda drops a late answer
    if (message.type === 'started') {
      h.warm.add(p.spec.name);
      p.timer = timeoutOf(h, message.id, p);
      return;
    }
    settle(h, message.id);
    if (message.type === 'result') {
      p.resolve(message.json);
    } else if (message.phase === 'init') {
      p.reject(new LambdaFunctionError(message.errorType, message.errorMessage));
    } else {
      options.logger?.(`[${p.spec.name}] ${message.errorType}: ${message.errorMessage}`);
      p.reject(new LambdaFunctionError(message.errorType, message.errorMessage));
    }
  }

  function timeoutOf(h: Host, id: number, p: Pending): NodeJS.Timeout {
    const timeoutMs = timeoutMsOf(p.spec);
    return setTimeout(() => {
      settle(h, id);
      p.reject(new LambdaFunctionError('Sandbox.Timedout', `Task timed out after ${timeoutMs / 1000} seconds`));
    }, timeoutMs);
  }

  /** Forgets an invocation; the host stops holding the process open when none is left. */
  function settle(h: Host, id: number): void {
    clearTimeout(h.pending.get(id)?.timer);
    h.pending.delete(id);
    if (h.pending.size === 0) h.worker.unref();
  }

  function start(): Host {
    const worker = new Worker(HOST_ENTRY, { env: SHARE_ENV, execArgv: hostExecArgv(), name: 'lambda-host' });
    const h: Host = { worker, pending: new Map(), warm: new Set() };
    let failure = '';
    worker.on('message', (batch: readonly HostMessage[]) => {
      for (const message of batch) onMessage(h, message);
    });
    worker.on('error', (error) => {
      failure = `${error.name}: ${error.message}`;
    });
    worker.on('exit', (code) => {
      if (host === h) host = undefined;
      failAll(h, `Runtime exited with error: exit status ${code}${failure === '' ? '' : ` (${failure})`}`);
    });
    return h;
  }

  return {
    arn,
    async invoke(nameOrArn, event) {
      const spec = specFor(nameOrArn);
      if (closed) throw new InvokerClosedError();
      const h = (host ??= start());
      const id = nextId++;
      const requestId = randomUUID();
      const context: ContextFields = {
        functionName: spec.name,
        functionVersion: '$LATEST',
        invokedFunctionArn: arn(spec.name),
        memoryLimitInMB: '1024',
        awsRequestId: requestId,
        logGroupName: `/aws/lambda/${spec.name}`,
        logStreamName: `local/${requestId}`,
      };
      const message: InvokeMessage = {
        type: 'invoke',
        id,
        name: spec.name,
        entry: spec.entry,
        url: pathToFileURL(resolve(options.rootDir, spec.entry)).href,
        event,
        context,
        timeoutMs: timeoutMsOf(spec),
        announceStart: !h.warm.has(spec.name),
      };
      const json = await new Promise<string>((resolve, reject) => {
        h.worker.postMessage(message);
        if (h.pending.size === 0) h.worker.ref();
        const p: Pending = { spec, resolve, reject };
        if (!message.announceStart) p.timer = timeoutOf(h, id, p);
        h.pending.set(id, p);
      });
      return JSON.parse(json) as unknown;
    },
    async close() {
      closed = true;
      const h = host;
      host = undefined;
      if (h === undefined) return;
      failAll(h, 'Runtime exited: the local stack stopped');
      await h.worker.terminate();
    },
  };
}
