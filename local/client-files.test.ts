import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonFileRoutes } from './client-files.js';
import { DEMO_USERS } from './stack.js';

let server: Server;
let base: string;
let config: unknown;

beforeAll(async () => {
  const routes = jsonFileRoutes({ '/amplify-config.json': () => config, '/demo-users.json': () => DEMO_USERS });
  server = createServer((req, res) => {
    if (routes(req, res)) return;
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('jsonFileRoutes', () => {
  it('serves the demo accounts in the shape of demo-users.json, uncached', async () => {
    const res = await fetch(`${base}/demo-users.json?fresh=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const users: unknown = await res.json();
    expect(users).toEqual(JSON.parse(JSON.stringify(DEMO_USERS)));
    expect(users).toContainEqual({ username: 'customer1@pizza.example', password: 'Pizza-Demo-1', role: 'customer' });
  });

  it('leaves a document that is not ready yet, another path or another method to the next route', async () => {
    expect((await fetch(`${base}/amplify-config.json`)).status).toBe(404);
    config = { API: {} };
    expect(await (await fetch(`${base}/amplify-config.json`)).json()).toEqual({ API: {} });
    expect((await fetch(`${base}/other.json`)).status).toBe(404);
    expect((await fetch(`${base}/demo-users.json`, { method: 'POST' })).status).toBe(404);
  });
});
