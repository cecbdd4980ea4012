/** Bundles GraphiQL once (cached under .local/ across runs) and checks it is served offline. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_OPERATIONS_FILE, exampleTabs } from './explorer.js';
import { API_KEY, startTestServer } from './test-kit.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;

beforeAll(async () => {
  server = await startTestServer({ explorer: true });
});
afterAll(async () => {
  await server.stop();
});

describe('GraphiQL explorer', () => {
  it('serves the page with the endpoint, realtime URL and API key pre-filled', async () => {
    for (const path of ['/graphiql', '/graphiql/']) {
      const res = await fetch(`http://127.0.0.1:${server.port}${path}`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain(`"apiKey":"${API_KEY}"`);
      expect(html).toContain(`"realtimeUrl":"${server.realtimeUrl}"`);
      expect(html).not.toMatch(/<script[^>]+src="https?:/);
    }
    expect(server.explorerUrl).toBe(`http://127.0.0.1:${server.port}/graphiql`);
  });

  it('serves the bundled app, stylesheet and Monaco workers from the same server, without CDN imports', async () => {
    const base = `http://127.0.0.1:${server.port}/graphiql/assets`;
    const app = await fetch(`${base}/app.js`);
    expect(app.status).toBe(200);
    expect(app.headers.get('content-type')).toContain('javascript');
    const js = await app.text();
    expect(js).toContain('connection_init');
    expect(js).not.toMatch(/import\s*\(?\s*["']https?:/);
    for (const asset of ['app.css', 'editor.worker.js', 'json.worker.js', 'graphql.worker.js']) {
      const res = await fetch(`${base}/${asset}`);
      expect(res.status, asset).toBe(200);
      expect((await res.arrayBuffer()).byteLength, asset).toBeGreaterThan(1000);
    }
    expect((await fetch(`${base}/unknown.js`)).status).toBe(404);
  }, 60_000);
});

describe('exampleTabs', () => {
  const operations = readFileSync(EXAMPLE_OPERATIONS_FILE, 'utf8');
  const tabs = exampleTabs(operations, 'ws://127.0.0.1:4000/graphql/realtime');

  it("pre-loads the README's example operations, one tab per party, the signed-out one first with the intro", () => {
    expect(tabs.map((t) => t.query.split('\n').find((line) => line.startsWith('# as') || line.startsWith('# anyone')))).toEqual([
      '# anyone, also signed out with the API key',
      '# as a customer (customer1@pizza.example)',
      "# as the store's staff (store1@pizza.example): the store is who they are, not an argument",
      '# as a driver (driver1@pizza.example): the driver is who they are',
    ]);
    expect(tabs[0]?.query).toContain('ws://127.0.0.1:4000/graphql/realtime');
    expect(tabs[0]?.query).toContain('query Stores { listStores { storeId name } }');
  });

  it('puts every example operation in exactly one tab', () => {
    const names = [...operations.matchAll(/^\s*(?:query|mutation|subscription) (\w+)/gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) {
      expect(
        tabs.filter((t) => new RegExp(`\\b(query|mutation|subscription) ${name}\\b`).test(t.query)),
        name,
      ).toHaveLength(1);
    }
  });

  it('falls back to the store list when the operations file is missing', () => {
    const [only, ...rest] = exampleTabs(undefined, 'ws://x/graphql/realtime');
    expect(rest).toEqual([]);
    expect(only?.query).toContain('listStores');
  });

  it('embeds the tabs in the page', async () => {
    const html = await (await fetch(`http://127.0.0.1:${server.port}/graphiql`)).text();
    expect(html).toContain('mutation Place');
    expect(html).toContain('query Offers');
  });
});
