/**
 * `npm run bench:graphql`: what the local `/graphql` costs per request next to a plain JS GraphQL
 * server. Both answer the same `getOrder` document with one DynamoDB `GetItem` on the same
 * DynamoDB Local table; the baseline is graphql-js `parse` + `validate` + `execute` behind a bare
 * `node:http` server (no caching, no auth, no sandbox), i.e. roughly what graphql-yoga does. The
 * local server is asked as the customer who placed the order (their user-pool access token, verified
 * on every request as AppSync does: RS256 signature against the cached JWKS, expiry, issuer, client).
 * Closed-loop load: `BENCH_CONCURRENCY` clients each send the next request when the last answers.
 *
 * Options (env): BENCH_REQUESTS per server per round (default 2000), BENCH_CONCURRENCY (default
 * 16), BENCH_ROUNDS (default 3; servers alternate each round so load from elsewhere hits both).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { execute, parse, validate, type GraphQLError } from 'graphql';
import { buildAppSyncSchema } from '../local/appsync/server/schema.js';
import { orderInput, gql, startHarness } from '../test/integration/harness.js';
import { GET_ORDER, PLACE_ORDER } from '../test/integration/operations.js';

const requests = Number(process.env.BENCH_REQUESTS ?? 2000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

interface Run {
  readonly perSecond: number;
  readonly latencies: number[];
}

async function load(url: string, headers: Record<string, string>, body: string): Promise<Run> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (next < requests) {
      next += 1;
      const t0 = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const json = (await res.json()) as { data?: { getOrder?: { orderId?: string } | null }; errors?: unknown };
      if (res.status !== 200 || !json.data?.getOrder?.orderId) throw new Error(`unexpected answer from ${url}: ${JSON.stringify(json)}`);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { perSecond: (latencies.length / (performance.now() - started)) * 1000, latencies };
}

function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** The baseline: graphql-js over node:http, one GetItem per getOrder, nothing cached. */
async function startPlainServer(schemaSdl: string, client: DynamoDBClient, tableName: string): Promise<{ url: string; server: Server }> {
  // Same schema object as the local server builds (AppSync scalars and directives), no resolvers.
  const schema = buildAppSyncSchema(schemaSdl);
  const rootValue = {
    getOrder: async ({ orderId }: { orderId: string }) => {
      const out = await client.send(new GetItemCommand({ TableName: tableName, Key: { orderId: { S: orderId } } }));
      return out.Item ? unmarshall(out.Item) : null;
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const { query, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          query: string;
          variables?: Record<string, unknown>;
        };
        const document = parse(query);
        const errors: readonly GraphQLError[] = validate(schema, document);
        const result = errors.length > 0 ? { errors } : await execute({ schema, document, rootValue, variableValues: variables ?? null });
        const text = JSON.stringify(result);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, server };
}

/** The harness captures console.* (handlers log there); results go straight to stdout. */
const say = (line: string) => process.stdout.write(`${line}\n`);

const h = await startHarness({ inMemory: true, port: 0 });
try {
  const customer = await h.party('customer1');
  const placed = await gql<{ placeOrder: { orderId: string } }>(customer, PLACE_ORDER, { input: orderInput() });
  const orderId = placed.placeOrder.orderId;
  const { readFile } = await import('node:fs/promises');
  const { REPO_ROOT } = await import('../local/stack.js');
  const schemaSdl = await readFile(`${REPO_ROOT}/schema.graphql`, 'utf8');
  const plain = await startPlainServer(schemaSdl, h.dynamodb, h.stack.tableName('Orders'));
  const body = JSON.stringify({ query: GET_ORDER, variables: { orderId } });
  const targets: { name: string; url: string; headers: Record<string, string> }[] = [
    { name: 'local /graphql', url: h.stack.graphqlUrl, headers: { authorization: customer.token } },
    { name: 'plain graphql-js', url: plain.url, headers: {} },
  ];
  // Warm-up: JIT, connection pools, resolver modules.
  for (const t of targets) await load(t.url, t.headers, body);
  const results = new Map<string, Run[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const t of round % 2 === 0 ? targets : [...targets].reverse()) results.get(t.name)?.push(await load(t.url, t.headers, body));
  }
  plain.server.close();
  say(
    `\ngetOrder, ${rounds} rounds × ${requests} requests, concurrency ${concurrency} — node ${process.version}, ${new Date().toISOString()}`,
  );
  const rate = (name: string) => {
    const runs = results.get(name) ?? [];
    return runs.reduce((sum, r) => sum + r.perSecond, 0) / runs.length;
  };
  for (const t of targets) {
    const all = (results.get(t.name) ?? []).flatMap((r) => r.latencies);
    say(
      `${t.name.padEnd(18)} ${rate(t.name).toFixed(0).padStart(6)} req/s  p50 ${quantile(all, 0.5).toFixed(1).padStart(6)} ms  p99 ${quantile(all, 0.99).toFixed(1).padStart(6)} ms`,
    );
  }
  say(`local / plain: ${(rate('local /graphql') / rate('plain graphql-js')).toFixed(2)}×`);
} finally {
  await h.stop();
}
