/**
 * How an APPSYNC_JS resolver is bundled. The CDK stack must bundle with exactly these options so
 * the code checked and run locally is the code deployed.
 */
import type { BuildOptions } from 'esbuild';

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
