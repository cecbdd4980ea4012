/**
 * How an APPSYNC_JS resolver file is bundled: one set of esbuild options for the local runtime
 * (local/appsync/runtime, which checks and runs the bundle) and the CDK stack (which deploys it),
 * so the code checked and run locally is the code deployed. Node code that builds resolvers, not
 * a resolver: outside the APPSYNC_JS lint and resolvers/tsconfig.json.
 */
import { resolve } from 'node:path';
import { buildSync, type BuildOptions } from 'esbuild';

/** Specifiers AppSync provides at run time; never bundled. */
export const APPSYNC_EXTERNALS = ['@aws-appsync/utils', '@aws-appsync/utils/*'] as const;

/** AppSync's documented limit on resolver code size, in characters. */
export const MAX_CODE_SIZE = 32_768;

/**
 * esbuild options for one resolver entry file (ESM, no minification, so AppSync's own error
 * locations stay readable). Callers add only output plumbing (`write`, `outfile`, `sourcemap`),
 * never options that change the emitted code.
 */
export function appsyncJsBuildOptions(entry: string): BuildOptions & { entryPoints: string[] } {
  return {
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    mainFields: ['module', 'main'],
    external: [...APPSYNC_EXTERNALS],
    minify: false,
    treeShaking: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  };
}

export class ResolverBundleError extends Error {
  override readonly name = 'ResolverBundleError';
}

/**
 * The ESM bundle of one resolver file (absolute, or relative to the working directory), as
 * deployed. Synchronous because CDK constructs are built synchronously.
 */
export function bundleResolverCode(file: string): string {
  const entry = resolve(file);
  let text: string | undefined;
  try {
    // Only output plumbing is added: `write: false` changes nothing in the emitted code.
    const result = buildSync({ ...appsyncJsBuildOptions(entry), write: false });
    text = result.outputFiles[0]?.text;
  } catch (error) {
    throw new ResolverBundleError(`cannot bundle resolver ${entry}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (text === undefined) throw new ResolverBundleError(`esbuild produced no code for resolver ${entry}`);
  if (text.length > MAX_CODE_SIZE)
    throw new ResolverBundleError(`resolver ${entry} is ${text.length} characters; AppSync accepts at most ${MAX_CODE_SIZE}`);
  return text;
}
