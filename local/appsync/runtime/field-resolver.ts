/**
 * Runs a unit resolver for one field the way AppSync does: request handler → data source →
 * response handler (with `ctx.result` / `ctx.error`), honouring `util.error`, `util.appendError`,
 * `util.unauthorized` and `runtime.earlyReturn`. Nothing a resolver does can crash the server: a
 * bug becomes a field error of type `Code`, logged with its details, never sent with a stack.
 */
import type { AppSyncFieldError, AuthType, FieldResolver, Identity, ResolverInvocation, ResolverOutcome } from '../types.js';
import { executeDataSource, InvalidDataSourceRequestError, type DataSourceError, type DataSourceRuntime } from './datasources.js';
import { instantiate, type LoadedResolver, type ResolverInstance } from './sandbox.js';
import {
  EarlyReturnSignal,
  newInvocationState,
  UnauthorizedSignal,
  UtilErrorSignal,
  type ExtensionsRecord,
  type InvocationState,
} from './util.js';

/** What the server gets back: the field outcome plus what `extensions.*` asked for. */
export interface RuntimeOutcome extends ResolverOutcome {
  readonly extensions: ExtensionsRecord;
  readonly logs: readonly string[];
}

export interface FieldResolverOptions {
  /** `ctx.env`. @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** Receives resolver console output and runtime failures, one line at a time. */
  readonly logger?: (line: string) => void;
}

/** errorType of a field whose resolver code failed at run time (a bug, not a business error). */
export const CODE_ERROR_TYPE = 'Code';
/** errorType of a request object the data source cannot run. */
export const MAPPING_ERROR_TYPE = 'MappingTemplate';

type HandlerResult =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'early'; readonly value: unknown }
  | { readonly kind: 'error'; readonly error: AppSyncFieldError };

/** Round-trips through JSON, as every value crossing AppSync's handler boundary does. */
function jsonClone(value: unknown): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

function describeThrown(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const e = err as { name?: unknown; message?: unknown; stack?: unknown };
    if (typeof e.stack === 'string') return e.stack;
    if (typeof e.message === 'string') return `${String(e.name ?? 'Error')}: ${e.message}`;
  }
  return String(err);
}

function runHandler(
  instance: ResolverInstance,
  fn: 'request' | 'response',
  ctx: unknown,
  label: string,
  log: (line: string) => void,
): HandlerResult {
  try {
    return { kind: 'value', value: jsonClone(instance.call(fn, ctx)) };
  } catch (err) {
    if (err instanceof UtilErrorSignal) return { kind: 'error', error: err.error };
    if (err instanceof EarlyReturnSignal) return { kind: 'early', value: jsonClone(err.value) };
    if (err instanceof UnauthorizedSignal) {
      return { kind: 'error', error: unauthorizedError(ctx) };
    }
    log(`${label} ${fn} handler failed: ${describeThrown(err)}`);
    return {
      kind: 'error',
      error: { message: `Runtime error in the ${fn} handler of ${label}`, errorType: CODE_ERROR_TYPE, errorInfo: null, data: null },
    };
  }
}

function unauthorizedError(ctx: unknown): AppSyncFieldError {
  const info = (ctx as { info?: { fieldName?: unknown; parentTypeName?: unknown } } | null)?.info;
  return {
    message: `Not Authorized to access ${String(info?.fieldName ?? 'field')} on type ${String(info?.parentTypeName ?? 'Type')}`,
    errorType: 'Unauthorized',
    errorInfo: null,
    data: null,
  };
}

/** The `ctx` object handlers see. `info.selectionSet*` are non-enumerable, as on AppSync. */
export interface ResolverContextInput {
  readonly arguments?: Record<string, unknown>;
  readonly identity?: Identity;
  readonly source?: unknown;
  readonly stash?: Record<string, unknown>;
  readonly prev?: { result?: unknown };
  readonly result?: unknown;
  readonly error?: DataSourceError;
  readonly request?: { headers: Record<string, string>; domainName: string | null };
  readonly info?: Partial<ResolverInvocation['info']>;
  readonly env?: Readonly<Record<string, string>>;
}

export function buildContext(input: ResolverContextInput): Record<string, unknown> {
  const args = (jsonClone(input.arguments ?? {}) ?? {}) as Record<string, unknown>;
  const info: Record<string, unknown> = {
    fieldName: input.info?.fieldName ?? '',
    parentTypeName: input.info?.parentTypeName ?? '',
    variables: jsonClone(input.info?.variables ?? {}),
  };
  Object.defineProperty(info, 'selectionSetList', { value: [...(input.info?.selectionSetList ?? [])], enumerable: false });
  Object.defineProperty(info, 'selectionSetGraphQL', { value: input.info?.selectionSetGraphQL ?? '', enumerable: false });
  const ctx: Record<string, unknown> = {
    arguments: args,
    args,
    identity: jsonClone(input.identity ?? null),
    source: jsonClone(input.source ?? null),
    stash: input.stash ?? {},
    prev: input.prev ?? {},
    request: jsonClone(input.request ?? { headers: {}, domainName: null }),
    info,
    env: Object.freeze({ ...(input.env ?? {}) }),
  };
  if (input.result !== undefined) ctx['result'] = input.result;
  if (input.error !== undefined) ctx['error'] = input.error;
  return ctx;
}

function outcome(state: InvocationState, data: unknown, error?: AppSyncFieldError): RuntimeOutcome {
  return {
    data: error ? null : data,
    errors: error ? [...state.appendedErrors, error] : [...state.appendedErrors],
    extensions: state.extensions,
    logs: state.logs,
  };
}

export function createFieldResolver(
  resolver: LoadedResolver,
  dataSource: DataSourceRuntime,
  options: FieldResolverOptions = {},
): (invocation: ResolverInvocation) => Promise<RuntimeOutcome> {
  const resolverFn = async (invocation: ResolverInvocation): Promise<RuntimeOutcome> => {
    const label = `${invocation.info.parentTypeName}.${invocation.info.fieldName}`;
    const log = (line: string) => options.logger?.(`[${label}] ${line}`);
    const state = newInvocationState(invocation.authType, log);
    let instance: ResolverInstance;
    try {
      instance = instantiate(resolver, state);
    } catch (err) {
      log(`module evaluation failed: ${describeThrown(err)}`);
      return outcome(state, null, {
        message: `Runtime error while loading ${label}`,
        errorType: CODE_ERROR_TYPE,
        errorInfo: null,
        data: null,
      });
    }
    const ctx = buildContext({
      arguments: invocation.arguments,
      identity: invocation.identity,
      source: invocation.source,
      request: { headers: { ...invocation.request.headers }, domainName: invocation.request.domainName },
      info: invocation.info,
      env: options.env ?? {},
    });

    const req = runHandler(instance, 'request', ctx, label, log);
    if (req.kind === 'error') return outcome(state, null, req.error);
    if (req.kind === 'early') return outcome(state, req.value);

    let ds;
    try {
      ds = await executeDataSource(dataSource, req.value);
    } catch (err) {
      if (err instanceof InvalidDataSourceRequestError) {
        log(`invalid data source request: ${err.message}`);
        return outcome(state, null, { message: err.message, errorType: MAPPING_ERROR_TYPE, errorInfo: null, data: null });
      }
      log(`data source failed: ${describeThrown(err)}`);
      return outcome(state, null, { message: `Data source error in ${label}`, errorType: CODE_ERROR_TYPE, errorInfo: null, data: null });
    }
    if ('error' in ds) {
      ctx['error'] = { ...ds.error };
      ctx['result'] = null;
    } else {
      ctx['result'] = ds.result;
    }

    const res = runHandler(instance, 'response', ctx, label, log);
    if (res.kind === 'error') return outcome(state, null, res.error);
    return outcome(state, res.value);
  };
  const typed: FieldResolver = resolverFn;
  void typed; // compile-time proof that the function is a FieldResolver
  return resolverFn;
}

export interface EvaluateCodeInput {
  readonly resolver: LoadedResolver;
  readonly fn: 'request' | 'response';
  readonly context?: ResolverContextInput;
  /** `util.authType()`. @default 'API_KEY' */
  readonly authType?: AuthType;
}

export interface EvaluateCodeResult {
  /** The handler's return value (or `runtime.earlyReturn` value), as JSON. */
  readonly result?: unknown;
  /** Set when the handler called `util.error` / `util.unauthorized` or failed. */
  readonly error?: { readonly message: string; readonly type: string | null };
  /** Errors added with `util.appendError` (AWS's `outErrors`). */
  readonly outErrors: readonly AppSyncFieldError[];
  readonly logs: readonly string[];
  readonly stash: unknown;
  readonly earlyReturn: boolean;
  readonly extensions: ExtensionsRecord;
}

/** Runs one handler, like AppSync's EvaluateCode API, for unit tests of resolvers. */
export async function evaluateCode(input: EvaluateCodeInput): Promise<EvaluateCodeResult> {
  const state = newInvocationState(input.authType ?? 'API_KEY');
  const instance = instantiate(input.resolver, state);
  const ctx = buildContext(input.context ?? {});
  const failures: string[] = [];
  const r = runHandler(instance, input.fn, ctx, input.resolver.file, (line) => failures.push(line));
  const base = {
    outErrors: [...state.appendedErrors],
    logs: [...state.logs, ...failures],
    stash: jsonClone(ctx['stash']),
    extensions: state.extensions,
  };
  if (r.kind === 'error') return { ...base, error: { message: r.error.message, type: r.error.errorType }, earlyReturn: false };
  return { ...base, result: r.value, earlyReturn: r.kind === 'early' };
}
