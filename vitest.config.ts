import { defineConfig } from 'vitest/config';

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
