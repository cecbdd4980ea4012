import { defineConfig } from 'vitest/config';

// Two projects: unit tests touch no network and run in parallel; integration tests start
// real servers (DynamoDB Local is a JVM) and run one file at a time so two cores suffice.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{domain,functions,resolvers,local,infra,workflow,test/unit}/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
