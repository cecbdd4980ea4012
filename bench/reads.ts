/**
 * What the local `/graphql` costs per request next to a plain JS GraphQL server (`npm run
 * bench:graphql` alone, and `npm run bench` as one of its figures). Both answer the same `getOrder` document with one DynamoDB `GetItem` on the same
 * DynamoDB Local table; the baseline is graphql-js `parse` + `validate` + `execute` behind a bare
 * `node:http` server (no caching, no auth, no sandbox), i.e. roughly what graphql-yoga does. The
 * local server is asked as the customer who placed the order (their user-pool access token, verified
 * on every request as AppSync does: RS256 signature against the cached JWKS, expiry, issuer, client).
 * Closed-loop load: `concurrency` clients each send the next request when the last answers.
 * (graphql-yoga itself is not a dependency; this floor does the same per-request work without
 * yoga's plugins, so it is if anything a slightly higher bar.)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { execute, parse, validate, type GraphQLError } from 'graphql';
import { buildAppSyncSchema } from '../local/appsync/server/schema.js';
import { readFile } from 'node:fs/promises';
import { REPO_ROOT } from '../local/stack.js';
import { orderInput, gql, type Harness, type Party } from '../test/integration/harness.js';
import { GET_ORDER, PLACE_ORDER } from '../test/integration/operations.js';

export interface ReadOptions {
  /** Requests per server per round. */
  readonly requests: number;
  /** Clients, each sending its next request when its last one answers. */
  readonly concurrency: number;
  /** Rounds; the servers alternate each round so load from elsewhere hits both. */
  readonly rounds: number;
}

interface Run {
  readonly perSecond: number;
  readonly latencies: number[];
}

async function load(url: string, headers: Record<string, string>, body: string, { requests, concurrency }: ReadOptions): Promise<Run> {
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

export function quantile(samples: readonly number[], q: number): number {
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

export interface ReadServerResult {
  readonly name: string;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

export interface ReadComparison {
  readonly local: ReadServerResult;
  readonly plain: ReadServerResult;
  /** local req/s ÷ plain req/s. */
  readonly ratio: number;
}

/** Places one order as `customer`, then loads `getOrder` for it on the local `/graphql` and on the plain server. */
export async function compareReads(h: Harness, customer: Party, options: ReadOptions): Promise<ReadComparison> {
  const placed = await gql<{ placeOrder: { orderId: string } }>(customer, PLACE_ORDER, { input: orderInput() });
  const orderId = placed.placeOrder.orderId;
  const schemaSdl = await readFile(`${REPO_ROOT}/schema.graphql`, 'utf8');
  const plain = await startPlainServer(schemaSdl, h.dynamodb, h.stack.tableName('Orders'));
  try {
    const body = JSON.stringify({ query: GET_ORDER, variables: { orderId } });
    const targets: { name: string; url: string; headers: Record<string, string> }[] = [
      { name: 'local /graphql', url: h.stack.graphqlUrl, headers: { authorization: customer.token } },
      { name: 'plain graphql-js', url: plain.url, headers: {} },
    ];
    // Warm-up: JIT, connection pools, resolver modules.
    for (const t of targets) await load(t.url, t.headers, body, options);
    const runs = new Map<string, Run[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < options.rounds; round++) {
      for (const t of round % 2 === 0 ? targets : [...targets].reverse())
        runs.get(t.name)?.push(await load(t.url, t.headers, body, options));
    }
    const result = (name: string): ReadServerResult => {
      const mine = runs.get(name) ?? [];
      const all = mine.flatMap((r) => r.latencies);
      return {
        name,
        perSecond: mine.reduce((sum, r) => sum + r.perSecond, 0) / mine.length,
        p50: quantile(all, 0.5),
        p99: quantile(all, 0.99),
      };
    };
    const local = result('local /graphql');
    const plainResult = result('plain graphql-js');
    return { local, plain: plainResult, ratio: local.perSecond / plainResult.perSecond };
  } finally {
    plain.server.close();
  }
}
