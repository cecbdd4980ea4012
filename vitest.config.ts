import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The files that take longest (seconds on this 2-core machine, idle), started first whatever
 * their project, so the two workers finish together instead of one running a long file alone at
 * the end. Vitest's own order runs project after project (integration, protocol, unit) and,
 * on a clean clone with no timing cache, larger files first: the static checks (~40 s) then
 * start last. Files not listed keep Vitest's order after these.
 */
const SLOW_FIRST = [
  // Pure CPU (tsc, eslint and prettier at once), first: the files after it wait on JVMs and timers.
  'test/unit/static-checks.test.ts', // ~60 s
  'test/integration/persistent-recovery.test.ts', // ~40 s each: start, kill and restart `npm start`
  'test/integration/persistent-stack.test.ts',
  'test/integration/cli-tls.test.ts', // ~45 s: `npm start --tls` twice, Amplify over TLS in a child process
  'test/integration/web-demo.test.ts', // ~40 s: a browser per party
  'local/dynamodb/dynamodb-local.test.ts', // ~15 s: four JVM starts
  'infra/cdk/stack.test.ts', // ~25 s: synthesizes and bundles every function
  'local/sfn/endpoint.test.ts',
  'local/sfn/persistence.test.ts',
  'test/integration/cli.test.ts',
  'test/integration/timeouts.test.ts',
  'test/unit/codegen.test.ts',
  'test/integration/lifecycle.test.ts',
  'test/integration/authorization.test.ts',
];

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const i = SLOW_FIRST.indexOf(relative(spec.project.config.root, spec.moduleId).split('\\').join('/'));
      return i === -1 ? SLOW_FIRST.length : i;
    };
    return base
      .map((spec, i) => ({ spec, i }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.i - b.i)
      .map(({ spec }) => spec);
  }
}

// Three projects (one test style, three scopes):
// - unit: pure modules, no network, parallel;
// - protocol: one local component at a time over real sockets on free loopback ports
//   (some start DynamoDB Local, a JVM);
// - integration: the whole local stack per file, driven by the real aws-amplify client and a
//   real browser; files run side by side (each stack on its own free ports and folders): most of
//   their time is spent waiting on JVMs, sockets and workflow timers.
export default defineConfig({
  test: {
    // Two workers on two cores: most integration and protocol time is spent waiting on JVMs,
    // sockets and workflow timers, so a second worker overlaps the projects (~290 s instead of
    // ~360 s for the whole suite on this 2-core machine, idle).
    maxWorkers: 2,
    // Every DynamoDB Local the tests start (themselves or through `npm start`) runs with the quick
    // JIT only: local/dynamodb/dynamodb-local.ts, JVM_ARGS_ENV.
    env: { DYNAMODB_LOCAL_JVM_ARGS: '-XX:TieredStopAtLevel=1' },
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{domain,functions,workflow,resolvers,infra,test/unit}/**/*.test.ts'],
          exclude: ['infra/cdk/same-manifest.test.ts'],
          environment: 'node',
          // Synthesizing the CDK stack bundles every function with esbuild.
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'protocol',
          include: ['local/**/*.test.ts'],
          environment: 'node',
          // Files share a worker's module graph instead of importing it again each (~35% less CPU for
          // this project). They can: each starts its own servers on free ports and stops them, and
          // configures what it uses (Amplify, env) itself.
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          // same-manifest: one manifest change shows up in the CDK template and a running local stack.
          include: ['test/integration/**/*.test.ts', 'infra/cdk/same-manifest.test.ts'],
          environment: 'node',
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
