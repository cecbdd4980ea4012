/**
 * APPSYNC_JS resolver code for the CDK stack, bundled with exactly the esbuild options the local
 * runtime uses (`appsyncJsBuildOptions`), so the code checked and run locally is the code
 * deployed. Synchronous because CDK constructs are built synchronously.
 */
import { resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { appsyncJsBuildOptions, MAX_CODE_SIZE } from '../../local/appsync/runtime/index.js';

export class ResolverBundleError extends Error {
  override readonly name = 'ResolverBundleError';
}

/** The ESM bundle of one resolver file (absolute, or relative to the working directory). */
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
