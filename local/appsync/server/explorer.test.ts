/** Bundles GraphiQL once (cached under .local/ across runs) and checks it is served offline. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
