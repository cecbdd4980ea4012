/**
 * Runs the Lambda handlers in this process, as Lambda would: a Lambda-shaped event and
 * context, the function's timeout, and errors reported as `{ errorType, errorMessage }` (the
 * rejection is a LambdaFunctionError whose `name` is the errorType, which is what Step
 * Functions' Catch and AppSync's `ctx.error` see).
 *
 * All handlers share one process, so they share `process.env`: the local stack sets the union
 * of every function's variables (names mean the same resource for every function).
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import type { FunctionSpec } from '../../infra/manifest-types.js';

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

type Handler = (event: unknown, context: Context) => Promise<unknown>;

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
}

export function createLambdaInvoker(options: LambdaInvokerOptions): LambdaInvoker {
  const byName = new Map(options.functions.map((f) => [f.name, f]));
  const handlers = new Map<string, Promise<Handler>>();
  const arn = (name: string) => `arn:aws:lambda:${options.region}:${options.accountId}:function:${name}`;

  function specFor(nameOrArn: string): FunctionSpec {
    const name = nameOrArn.startsWith('arn:') ? (nameOrArn.split(':')[6] ?? '') : nameOrArn;
    const spec = byName.get(name);
    if (spec === undefined) throw new UnknownFunctionError(nameOrArn);
    return spec;
  }

  /** Lambda's init phase: an import that fails is `Runtime.ImportModuleError`, and is retried next time. */
  async function load(spec: FunctionSpec): Promise<Handler> {
    let mod: unknown;
    try {
      mod = await import(pathToFileURL(resolve(options.rootDir, spec.entry)).href);
    } catch (error) {
      handlers.delete(spec.name);
      throw new LambdaFunctionError(
        'Runtime.ImportModuleError',
        `${spec.entry}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const handler = typeof mod === 'object' && mod !== null && 'handler' in mod ? mod.handler : undefined;
    if (typeof handler !== 'function') {
      handlers.delete(spec.name);
      throw new LambdaFunctionError('Runtime.HandlerNotFound', `${spec.entry} does not export a handler function`);
    }
    return handler as Handler;
  }

  return {
    arn,
    async invoke(nameOrArn, event) {
      const spec = specFor(nameOrArn);
      let loading = handlers.get(spec.name);
      if (loading === undefined) {
        loading = load(spec);
        handlers.set(spec.name, loading);
      }
      const handler = await loading;
      const timeoutMs = (spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
      const deadline = Date.now() + timeoutMs;
      const requestId = randomUUID();
      const context: Context = {
        callbackWaitsForEmptyEventLoop: true,
        functionName: spec.name,
        functionVersion: '$LATEST',
        invokedFunctionArn: arn(spec.name),
        memoryLimitInMB: '1024',
        awsRequestId: requestId,
        logGroupName: `/aws/lambda/${spec.name}`,
        logStreamName: `local/${requestId}`,
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        done: () => undefined,
        fail: () => undefined,
        succeed: () => undefined,
      };
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new LambdaFunctionError('Sandbox.Timedout', `Task timed out after ${timeoutMs / 1000} seconds`)),
          timeoutMs,
        );
      });
      try {
        const result = await Promise.race([handler(event, context), timeout]);
        // Lambda returns JSON: what cannot be serialized does not reach the caller.
        return result === undefined ? null : JSON.parse(JSON.stringify(result));
      } catch (error) {
        if (error instanceof LambdaFunctionError) throw error;
        const errorType = error instanceof Error ? error.name : 'Error';
        const message = error instanceof Error ? error.message : String(error);
        options.logger?.(`[${spec.name}] ${errorType}: ${message}`);
        throw new LambdaFunctionError(errorType, message);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
