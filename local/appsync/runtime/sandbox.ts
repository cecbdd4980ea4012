/**
 * Loading and running a resolver module. The ESM bundle (what AppSync receives) is checked
 * statically, then converted to a CommonJS body compiled once as a `vm.Script` and evaluated once
 * in the resolver's own hardened `vm` context (see Realm); every invocation runs the module body
 * afresh with a `require` that hands out that invocation's `util` / `runtime` / `extensions` and
 * the dynamodb module, so nothing leaks between requests.
 */
import { SourceMap } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import * as esbuild from 'esbuild';
import { appsyncJsBuildOptions } from './build.js';
import { checkResolverCode, shapeOf, UnsupportedResolverFeatureError } from './check.js';
import { dynamodbModule } from './dynamodb-module.js';
import { createRuntimeObjects, newInvocationState, type InvocationState } from './util.js';

/** A checked, compiled resolver, ready to run any number of times. */
export interface LoadedResolver {
  /** Absolute path of the resolver's source file. */
  readonly file: string;
  /** The ESM bundle, exactly as it would be deployed to AppSync. */
  readonly code: string;
  /** @internal compiled CommonJS form of `code`. */
  readonly script: vm.Script;
  /**
   * @internal Whether the static check passed (loadResolver). Checked code cannot loop forever
   * (check.ts rejects while/do/for(;;), labels, recursion, generators and passing functions, so
   * every loop is a for-of/for-in over a finite value), so its handlers run without the per-call
   * watchdog: `runInContext`'s `timeout` starts and joins a thread on every call, which cost more
   * than the handler itself (over a millisecond per call on a loaded machine).
   */
  readonly checked: boolean;
}

/** Raised when the resolver cannot be bundled (syntax error, missing import). */
export class ResolverBuildError extends Error {
  override readonly name = 'ResolverBuildError';
}

/**
 * Wall-clock limit for one handler call of code that did not pass the static check (see
 * LoadedResolver.checked); AppSync's own limit is shorter, this only stops runaway loops.
 */
export const HANDLER_TIMEOUT_MS = 1_000;

// ESM is strict; keep it strict once converted (assignment to an undeclared name throws).
const MODULE_WRAPPER_PREFIX = "(function (exports, require, module) { 'use strict';";

function runtimeShapes() {
  const probe = createRuntimeObjects(newInvocationState('API_KEY'));
  return {
    util: shapeOf(probe.util),
    runtime: shapeOf(probe.runtime),
    extensions: shapeOf(probe.extensions),
    dynamodb: shapeOf(dynamodbModule),
  };
}

/**
 * @internal Compiles CommonJS resolver code as is, with no static check: loadResolver's last step,
 * and how the sandbox tests reach code the check would reject (defence in depth).
 */
export function compileModule(file: string, code: string, cjsCode: string, checked = false): LoadedResolver {
  return { file, code, checked, script: new vm.Script(`${MODULE_WRAPPER_PREFIX}${cjsCode}\n})`, { filename: file }) };
}

/** Bundles, checks and compiles a resolver. Throws UnsupportedResolverFeatureError or ResolverBuildError. */
export async function loadResolver(file: string): Promise<LoadedResolver> {
  const absolute = path.resolve(file);
  const outfile = path.join(path.dirname(absolute), '__appsync_bundle__.js');
  let result: esbuild.BuildResult & { outputFiles: esbuild.OutputFile[] };
  try {
    // Same options as the deployed bundle; `write`/`outfile`/`sourcemap` only add the map alongside.
    result = await esbuild.build({ ...appsyncJsBuildOptions(absolute), write: false, outfile, sourcemap: 'external' });
  } catch (err) {
    const errors = (err as { errors?: esbuild.Message[] }).errors ?? [];
    const text =
      errors.length > 0
        ? errors.map((e) => `${e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ` : ''}${e.text}`).join('\n')
        : String(err);
    throw new ResolverBuildError(`cannot bundle ${absolute}:\n${text}`);
  }
  const codeFile = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const mapFile = result.outputFiles.find((f) => f.path.endsWith('.js.map'));
  if (codeFile === undefined) throw new ResolverBuildError(`esbuild produced no code for ${absolute}`);
  const code = codeFile.text;
  const sourceMap = mapFile ? new SourceMap(JSON.parse(mapFile.text)) : null;

  const violations = checkResolverCode(code, {
    file: `${absolute} (bundled output)`,
    shapes: runtimeShapes(),
    mapLocation: (line, column) => {
      const entry = sourceMap?.findEntry(line - 1, column);
      // No mapping on that very line means esbuild-generated helper code: report the bundle position.
      if (entry === undefined || !('originalSource' in entry) || entry.generatedLine !== line - 1) return null;
      return {
        file: path.resolve(path.dirname(outfile), entry.originalSource),
        line: entry.originalLine + 1,
        column: entry.originalColumn + 1,
      };
    },
  });
  if (violations.length > 0) throw new UnsupportedResolverFeatureError(absolute, violations);

  const cjs = await esbuild.transform(code, { format: 'cjs', target: 'es2020', loader: 'js' });
  const loaded = compileModule(absolute, code, cjs.code, true);

  // Evaluate once so a module without both handlers fails at load, not at the first request.
  const instance = instantiate(loaded, newInvocationState('API_KEY'));
  for (const fn of ['request', 'response'] as const) {
    if (typeof instance.handlers[fn] !== 'function') {
      throw new UnsupportedResolverFeatureError(absolute, [
        { file: absolute, line: 1, column: 1, rule: 'missing-handler', message: `the module must export a ${fn}(ctx) function` },
      ]);
    }
  }
  return loaded;
}

export interface ResolverInstance {
  readonly handlers: { readonly request?: unknown; readonly response?: unknown };
  /** Calls a handler inside the sandbox (with the handler timeout when the code is unchecked). */
  call(fn: 'request' | 'response', ctx: unknown): unknown;
}

function formatLogArg(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  try {
    return JSON.stringify(arg) ?? String(arg);
  } catch {
    return String(arg);
  }
}

/** What the runtime globals (`util`, `runtime`, `extensions`, `console`) answer while a handler runs. */
interface Bindings {
  readonly util: unknown;
  readonly runtime: unknown;
  readonly extensions: unknown;
  readonly console: unknown;
}

/**
 * One `vm` context per resolver, built at load and shared by all its invocations. Creating a
 * context costs about a millisecond (a third of a request's CPU before this), so isolation comes
 * from the shape of the realm instead of from throwing it away:
 * - every intrinsic reachable from the global object (constructors, prototypes, `JSON`, `Math`,
 *   iterator and generator prototypes) is frozen after `JSON.parse` is patched, so a handler
 *   cannot mutate a built-in for the next request;
 * - the global object cannot be frozen (V8 refuses for a contextified global), so after every
 *   handler call its own properties are put back to the snapshot taken at load (added ones
 *   deleted, replaced or deleted ones restored);
 * - the module body runs again for every invocation (cheap: the script is compiled once and its
 *   factory function kept), so module-level variables and exported objects are per invocation;
 * - `ctx` (with `stash`) is a fresh object per invocation, built outside the realm;
 * - `util`/`runtime`/`extensions`/`console` are accessors that answer the bindings of the
 *   invocation whose handler is running. Handlers are synchronous, so exactly one runs at a time.
 * A pool of contexts would not isolate anything (a context is still reused) and would cost
 * memory per resolver; one frozen context per resolver does.
 */
interface Realm {
  readonly context: vm.Context;
  readonly factory: (exports: unknown, require: unknown, module: unknown) => void;
  readonly caller: vm.Script;
  readonly restoreGlobals: () => void;
  /** `runInContext` options for a handler call: a timeout for unchecked code only. */
  readonly watchdog: vm.RunningScriptOptions;
  current: Bindings | null;
  pending: { fn: unknown; ctx: unknown } | null;
}

const RUNTIME_GLOBAL_NAMES = ['util', 'runtime', 'extensions', 'console'] as const;
/** Host function the per-call script invokes, so the handler runs under runInContext (and its timeout). */
const INVOKE_HOOK = '__appsync_invoke';

/**
 * Run inside a new context: AppSync's `JSON.parse` (answers `""` for invalid input), then every
 * reachable intrinsic frozen. Properties that objects commonly override by assignment
 * (`toString`, `message`, …) become accessors that define an own property on the receiver, so
 * `obj.toString = f` still works on a plain object (the "override mistake" of frozen prototypes).
 */
const HARDEN_SOURCE = `(() => {
  'use strict';
  const parse = JSON.parse;
  JSON.parse = function (text, reviver) { try { return parse(text, reviver); } catch (e) { return ''; } };
  const overridable = ['constructor', 'toString', 'toLocaleString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf',
    'propertyIsEnumerable', 'name', 'message'];
  const enableOverrides = (proto) => {
    for (const key of overridable) {
      const d = Object.getOwnPropertyDescriptor(proto, key);
      if (d === undefined || !('value' in d) || !d.configurable) continue;
      const value = d.value;
      Object.defineProperty(proto, key, {
        get() { return value; },
        set(v) {
          if (this === proto) throw new TypeError('Cannot assign to read only property ' + key + ' of a built-in');
          Object.defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
        },
        enumerable: d.enumerable,
        configurable: false,
      });
    }
  };
  enableOverrides(Object.prototype);
  enableOverrides(Function.prototype);
  for (const E of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, AggregateError]) enableOverrides(E.prototype);
  const seen = new Set();
  const freeze = (o) => {
    if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o)) return;
    // Host objects (the invoke hook) belong to the server's realm: never freeze those.
    if (o !== Object.prototype && !(o instanceof Object)) return;
    seen.add(o);
    Object.freeze(o);
    for (const key of Reflect.ownKeys(o)) {
      const d = Object.getOwnPropertyDescriptor(o, key);
      if (d === undefined) continue;
      if ('value' in d) freeze(d.value);
      else { freeze(d.get); freeze(d.set); }
    }
    freeze(Object.getPrototypeOf(o));
  };
  const skip = new Set(${JSON.stringify([...RUNTIME_GLOBAL_NAMES, INVOKE_HOOK])});
  for (const key of Reflect.ownKeys(globalThis)) {
    if (skip.has(key) || key === 'globalThis') continue;
    const d = Object.getOwnPropertyDescriptor(globalThis, key);
    if (d !== undefined && 'value' in d) freeze(d.value);
  }
  // Intrinsics no global names.
  freeze([][Symbol.iterator]());
  freeze(''[Symbol.iterator]());
  freeze(new Map().entries());
  freeze(new Set().values());
  freeze(/a/[Symbol.matchAll](''));
  freeze(function* () {});
  freeze(async function () {});
  freeze(async function* () {});
  freeze(async () => {});
})()`;

function createRealm(script: vm.Script, checked: boolean): Realm {
  const watchdog: vm.RunningScriptOptions = checked ? {} : { timeout: HANDLER_TIMEOUT_MS };
  const sandbox: Record<string, unknown> = {};
  const realm = { current: null, pending: null } as { current: Bindings | null; pending: Realm['pending'] };
  for (const name of RUNTIME_GLOBAL_NAMES) {
    Object.defineProperty(sandbox, name, { get: () => realm.current?.[name], enumerable: true, configurable: false });
  }
  Object.defineProperty(sandbox, INVOKE_HOOK, {
    value: () => {
      const call = realm.pending;
      if (call === null || typeof call.fn !== 'function') throw new TypeError('handler is not a function');
      return (call.fn as (ctx: unknown) => unknown)(call.ctx);
    },
    enumerable: false,
    configurable: false,
    writable: false,
  });
  const context = vm.createContext(sandbox, { codeGeneration: { strings: false, wasm: false } });
  vm.runInContext(HARDEN_SOURCE, context);
  const global = vm.runInContext('globalThis', context) as Record<PropertyKey, unknown>;
  const baseline = new Map<PropertyKey, PropertyDescriptor>();
  for (const key of Reflect.ownKeys(global)) {
    const d = Reflect.getOwnPropertyDescriptor(global, key);
    if (d !== undefined) baseline.set(key, d);
  }
  const restoreGlobals = (): void => {
    const keys = Reflect.ownKeys(global);
    if (keys.length !== baseline.size) {
      for (const key of keys) if (!baseline.has(key)) Reflect.deleteProperty(global, key);
    }
    for (const [key, d] of baseline) {
      const now = Reflect.getOwnPropertyDescriptor(global, key);
      if (now !== undefined && now.value === d.value && now.get === d.get && now.set === d.set) continue;
      Reflect.deleteProperty(global, key);
      Reflect.defineProperty(global, key, d);
    }
  };
  const factory = script.runInContext(context, { timeout: HANDLER_TIMEOUT_MS }) as Realm['factory'];
  return Object.assign(realm, { context, factory, caller: new vm.Script(`${INVOKE_HOOK}()`), restoreGlobals, watchdog });
}

const realms = new WeakMap<LoadedResolver, Realm>();

function realmOf(resolver: LoadedResolver): Realm {
  let realm = realms.get(resolver);
  if (realm === undefined) {
    realm = createRealm(resolver.script, resolver.checked);
    realms.set(resolver, realm);
  }
  return realm;
}

/** Runs `body` with `bindings` as the runtime globals, then puts the realm's globals back. */
function withBindings<T>(realm: Realm, bindings: Bindings, body: () => T): T {
  realm.current = bindings;
  try {
    return body();
  } finally {
    realm.current = null;
    realm.pending = null;
    realm.restoreGlobals();
  }
}

/**
 * A fresh module instance, wired to one invocation's state, in the resolver's shared realm (see
 * Realm for what keeps invocations apart). `console` output goes to `state.logs` (and the
 * logger). `JSON.parse` answers `""` for invalid input, as AppSync's does.
 */
export function instantiate(resolver: LoadedResolver, state: InvocationState): ResolverInstance {
  const realm = realmOf(resolver);
  const objects = createRuntimeObjects(state);
  const log =
    (level: 'log' | 'error') =>
    (...args: unknown[]) => {
      const line = args.map(formatLogArg).join(' ');
      state.logs.push(level === 'error' ? `ERROR ${line}` : line);
      state.logger?.(level === 'error' ? `ERROR ${line}` : line);
    };
  const bindings: Bindings = {
    util: objects.util,
    runtime: objects.runtime,
    extensions: objects.extensions,
    console: { log: log('log'), error: log('error'), warn: log('error'), info: log('log'), debug: log('log') },
  };
  const modules: Record<string, unknown> = {
    '@aws-appsync/utils': { util: objects.util, runtime: objects.runtime, extensions: objects.extensions },
    '@aws-appsync/utils/dynamodb': dynamodbModule,
  };
  const require = (specifier: string): unknown => {
    const mod = modules[specifier];
    // The static check already rejected other imports; this guards a bypass.
    if (mod === undefined) throw new Error(`module "${specifier}" is not available in APPSYNC_JS`);
    return mod;
  };
  const module: { exports: Record<string, unknown> } = { exports: {} };
  withBindings(realm, bindings, () => realm.factory(module.exports, require, module));
  const handlers = { request: module.exports['request'], response: module.exports['response'] };
  return {
    handlers,
    call(fn, ctx) {
      return withBindings(realm, bindings, () => {
        realm.pending = { fn: handlers[fn], ctx };
        return realm.caller.runInContext(realm.context, realm.watchdog);
      });
    },
  };
}
