/**
 * Loading and running a resolver module. The ESM bundle (what AppSync receives) is checked
 * statically, then converted to a CommonJS body compiled once as a `vm.Script`; every invocation
 * gets a fresh `vm` context whose `require` hands out that invocation's `util` / `runtime` /
 * `extensions` and the dynamodb module, so nothing leaks between requests.
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
}

/** Raised when the resolver cannot be bundled (syntax error, missing import). */
export class ResolverBuildError extends Error {
  override readonly name = 'ResolverBuildError';
}

/** Wall-clock limit for one handler call; AppSync's own limit is shorter, this only stops runaway loops. */
export const HANDLER_TIMEOUT_MS = 1_000;

const MODULE_WRAPPER_PREFIX = '(function (exports, require, module) {';

function runtimeShapes() {
  const probe = createRuntimeObjects(newInvocationState('API_KEY'));
  return {
    util: shapeOf(probe.util),
    runtime: shapeOf(probe.runtime),
    extensions: shapeOf(probe.extensions),
    dynamodb: shapeOf(dynamodbModule),
  };
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
  const script = new vm.Script(`${MODULE_WRAPPER_PREFIX}${cjs.code}\n})`, { filename: absolute });
  const loaded: LoadedResolver = { file: absolute, code, script };

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
  /** Calls a handler inside the sandbox with the handler timeout. */
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

/**
 * A fresh module instance in a fresh context, wired to one invocation's state. `console` output
 * goes to `state.logs` (and the logger). `JSON.parse` answers `""` for invalid input, as
 * AppSync's does.
 */
export function instantiate(resolver: LoadedResolver, state: InvocationState): ResolverInstance {
  const objects = createRuntimeObjects(state);
  const log =
    (level: 'log' | 'error') =>
    (...args: unknown[]) => {
      const line = args.map(formatLogArg).join(' ');
      state.logs.push(level === 'error' ? `ERROR ${line}` : line);
      state.logger?.(level === 'error' ? `ERROR ${line}` : line);
    };
  const sandbox: Record<string, unknown> = {
    util: objects.util,
    runtime: objects.runtime,
    extensions: objects.extensions,
    console: { log: log('log'), error: log('error'), warn: log('error'), info: log('log'), debug: log('log') },
  };
  const context = vm.createContext(sandbox, { codeGeneration: { strings: false, wasm: false } });
  vm.runInContext(
    `(() => { const parse = JSON.parse; JSON.parse = function (text, reviver) { try { return parse(text, reviver); } catch (e) { return ''; } }; })();`,
    context,
  );
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
  const factory = resolver.script.runInContext(context, { timeout: HANDLER_TIMEOUT_MS }) as (
    exports: unknown,
    require: unknown,
    module: unknown,
  ) => void;
  const module: { exports: Record<string, unknown> } = { exports: {} };
  factory(module.exports, require, module);
  const handlers = { request: module.exports['request'], response: module.exports['response'] };
  const caller = new vm.Script('__appsync_handler(__appsync_ctx)');
  return {
    handlers,
    call(fn, ctx) {
      sandbox['__appsync_handler'] = handlers[fn];
      sandbox['__appsync_ctx'] = ctx;
      try {
        return caller.runInContext(context, { timeout: HANDLER_TIMEOUT_MS });
      } finally {
        delete sandbox['__appsync_handler'];
        delete sandbox['__appsync_ctx'];
      }
    },
  };
}
