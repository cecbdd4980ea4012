/**
 * `npm run bench:graphql`: what the local `/graphql` costs per request next to a plain JS GraphQL
 * server (bench/reads.ts says how both are measured).
 *
 * Options (env): BENCH_REQUESTS per server per round (default 2000), BENCH_CONCURRENCY (default
 * 16), BENCH_ROUNDS (default 3; servers alternate each round so load from elsewhere hits both).
 */
import { startHarness } from '../test/integration/harness.js';
import { compareReads } from './reads.js';

const requests = Number(process.env.BENCH_REQUESTS ?? 2000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

/** The harness captures console.* (handlers log there); results go straight to stdout. */
const say = (line: string) => process.stdout.write(`${line}\n`);

const h = await startHarness({ inMemory: true, port: 0 });
try {
  const { local, plain, ratio } = await compareReads(h, await h.party('customer1'), { requests, concurrency, rounds });
  say(
    `\ngetOrder, ${rounds} rounds × ${requests} requests, concurrency ${concurrency} — node ${process.version}, ${new Date().toISOString()}`,
  );
  for (const r of [local, plain])
    say(
      `${r.name.padEnd(18)} ${r.perSecond.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms`,
    );
  say(`local / plain: ${ratio.toFixed(2)}×`);
} finally {
  await h.stop();
}
