import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order } from '../generated/graphql.js';
import { apiOrder } from '../test/factories.js';
import { trackedOrderFromHash } from '../web-demo/src/App.js';
import { sessionFromTokens } from '../web-demo/src/auth.js';
import { parseAmplifyConfig, parseDemoUsers, ConfigError } from '../web-demo/src/config.js';
import { describeError, formatProblem } from '../web-demo/src/errors.js';
import { isNewer, isOrder, mergeOrder, newIdempotencyKey, orderNumber, personLabel, timelineOf } from '../web-demo/src/orders.js';
import { webDemoRoutes, type ExtraRoute } from './web-demo.js';

interface Fetched {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Script, stylesheet and font CDNs a bundle must never reach for. */
const CDN_PATTERN = /unpkg\.com|jsdelivr\.net|cdnjs\.|esm\.sh|skypack\.dev|googleapis\.com|gstatic\.com|cloudflare\.com\/ajax|jspm\.io/;

describe('webDemoRoutes', () => {
  let route: ExtraRoute;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    route = await webDemoRoutes();
    server = createServer((req, res) => {
      if (!route(req, res)) {
        res.writeHead(404);
        res.end('not mine');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address: AddressInfo | string | null = server.address();
    if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
    port = address.port;
  }, 30_000);

  afterAll(async () => {
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  });

  it('serves index.html at / that loads only same-origin assets', async () => {
    const res = await get(port, '/');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const html = res.body.toString('utf8');
    expect(html).toContain('<div id="root">');
    expect(html).toContain('src="/web-demo/app.js"');
    expect(html).toContain('href="/web-demo/app.css"');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('serves a JS bundle with React, Amplify and the operations, and no CDN URLs', async () => {
    const res = await get(port, '/web-demo/app.js');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    const js = res.body.toString('utf8');
    expect(js.length).toBeGreaterThan(100_000);
    expect(js).toContain('onOrderUpdated');
    expect(js).toContain('/amplify-config.json');
    expect(js).not.toMatch(CDN_PATTERN);
    expect(js).not.toContain('process.env.NODE_ENV');
  });

  it('serves the stylesheet', async () => {
    const res = await get(port, '/web-demo/app.css');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/css/);
    expect(res.body.toString('utf8')).toContain('.timeline');
  });

  it('gzips for browsers that accept it and revalidates by ETag', async () => {
    const plain = await get(port, '/web-demo/app.js');
    const zipped = await get(port, '/web-demo/app.js', { 'accept-encoding': 'gzip, deflate' });
    const etag = String(zipped.headers.etag);
    const revalidated = await get(port, '/web-demo/app.js', { 'if-none-match': etag });

    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
  });

  it('restricts the page to loopback connections with a CSP', async () => {
    const res = await get(port, '/');
    const csp = String(res.headers['content-security-policy']);
    const connect = csp.split('; ').find((d) => d.startsWith('connect-src ')) ?? '';

    expect(connect.split(' ').slice(1).sort()).toEqual(
      ["'self'", 'http://127.0.0.1:*', 'http://localhost:*', 'ws://127.0.0.1:*', 'ws://localhost:*'].sort(),
    );
    expect(csp).toContain("script-src 'self'");
  });

  it('leaves every other path to the next route', async () => {
    for (const path of ['/graphql', '/graphiql', '/amplify-config.json', '/web-demo/missing.js']) {
      const res = await get(port, path);
      expect(res.status, path).toBe(404);
      expect(res.body.toString('utf8'), path).toBe('not mine');
    }
  });
});

// The demo's pure helpers. They live in web-demo/src (browser code); their tests live here
// because the unit project's include globs do not cover web-demo/.

function order(overrides: Partial<Order> = {}): Order {
  return apiOrder({
    orderId: '01JORDER0000000000000000AA',
    createdAt: '2025-01-01T12:00:00.000Z',
    updatedAt: '2025-01-01T12:00:00.000Z',
    ...overrides,
  });
}

describe('web demo mergeOrder', () => {
  it('replaces an order only with a higher version', () => {
    const v2 = order({ status: 'ACCEPTED', version: 2 });
    const list = mergeOrder([order()], v2);

    expect(list).toEqual([v2]);
    expect(mergeOrder(list, order({ version: 1 }))).toBe(list);
    expect(mergeOrder(list, order({ status: 'ACCEPTED', version: 2 }))).toBe(list);
  });

  it('adds unknown orders newest first', () => {
    const older = order({ orderId: 'a', createdAt: '2025-01-01T10:00:00.000Z' });
    const newer = order({ orderId: 'b', createdAt: '2025-01-01T11:00:00.000Z' });

    expect(mergeOrder([older], newer).map((o) => o.orderId)).toEqual(['b', 'a']);
  });

  it('never lets another order replace the current one', () => {
    expect(isNewer(order({ orderId: 'a' }), order({ orderId: 'b', version: 9 }))).toBe(false);
    expect(isNewer(null, order())).toBe(true);
  });
});

describe('web demo timelineOf', () => {
  it('marks steps done, current and upcoming along the happy path', () => {
    const steps = timelineOf(order({ status: 'ACCEPTED', acceptedAt: '2025-01-01T12:01:00.000Z', version: 2 }));

    expect(steps.map((s) => [s.status, s.state])).toEqual([
      ['PLACED', 'done'],
      ['ACCEPTED', 'current'],
      ['OUT_FOR_DELIVERY', 'upcoming'],
      ['DELIVERED', 'upcoming'],
    ]);
  });

  it('ends a declined order at the decline', () => {
    const steps = timelineOf(order({ status: 'DECLINED', declinedAt: '2025-01-01T12:01:00.000Z', declineReason: 'oven broke' }));

    expect(steps.map((s) => [s.status, s.state])).toEqual([
      ['PLACED', 'done'],
      ['DECLINED', 'failed'],
    ]);
  });
});

describe('web demo isOrder', () => {
  it('accepts an order and rejects null or foreign shapes', () => {
    expect(isOrder(order())).toBe(true);
    expect(isOrder(null)).toBe(false);
    expect(isOrder({ ...order(), status: 'EATEN' })).toBe(false);
    expect(isOrder({ ...order(), version: '2' })).toBe(false);
  });
});

describe('web demo newIdempotencyKey', () => {
  it('makes keys the API accepts, with or without randomUUID', () => {
    const withUuid = newIdempotencyKey();
    const withoutUuid = newIdempotencyKey({ getRandomValues: (a) => crypto.getRandomValues(a) });

    expect(withUuid).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(withoutUuid).toMatch(/^[0-9a-f]{32}$/);
    expect(newIdempotencyKey()).not.toBe(withUuid);
  });
});

describe('web demo describeError', () => {
  it('lists AppSync errors from the { data, errors } object Amplify throws', () => {
    const thrown = { data: null, errors: [{ errorType: 'InvalidTransition', message: 'order is ACCEPTED, not PLACED' }] };

    expect(describeError(thrown).map(formatProblem)).toEqual(['InvalidTransition: order is ACCEPTED, not PLACED']);
  });

  it('adds the HTTP status when the response was not GraphQL at all', () => {
    const thrown = { data: {}, errors: [{ message: 'Unknown error', originalError: { _response: { statusCode: 502 } } }] };

    expect(describeError(thrown).map(formatProblem)).toEqual(['Unknown error (HTTP 502)']);
  });

  it('falls back to the message of a plain error', () => {
    expect(describeError(new Error('Network error'))).toEqual([{ errorType: null, message: 'Network error' }]);
  });

  it("names an Amplify Auth error by Cognito's exception", () => {
    const thrown = Object.assign(new Error('Incorrect username or password.'), { name: 'NotAuthorizedException' });

    expect(describeError(thrown).map(formatProblem)).toEqual(['NotAuthorizedException: Incorrect username or password.']);
  });
});

describe('web demo trackedOrderFromHash', () => {
  it("reads the order a customer's URL names", () => {
    expect(trackedOrderFromHash('#/customer/01JORDER')).toBe('01JORDER');
    expect(trackedOrderFromHash('#/customer')).toBeNull();
    expect(trackedOrderFromHash('')).toBeNull();
    expect(trackedOrderFromHash('#/store/01JORDER')).toBeNull();
  });
});

describe('web demo parseAmplifyConfig', () => {
  const valid = {
    API: {
      GraphQL: {
        endpoint: 'ws://127.0.0.1:4000/graphql',
        customEndpoint: 'http://127.0.0.1:4000/graphql',
        customEndpointRegion: 'us-east-1',
        region: 'us-east-1',
        defaultAuthMode: 'userPool',
        apiKey: 'da2-local',
      },
    },
    Auth: {
      Cognito: {
        userPoolId: 'us-east-1_localPool',
        userPoolClientId: 'localclient',
        userPoolEndpoint: 'http://127.0.0.1:4001',
        loginWith: { email: true },
        signUpVerificationMethod: 'code',
      },
    },
  };

  it('passes the local stack config through unchanged, Auth section included', () => {
    expect(parseAmplifyConfig(valid)).toEqual(valid);
  });

  it("accepts a deployed stack's config (no userPoolEndpoint) and either default auth mode", () => {
    const { userPoolEndpoint: _, ...cognito } = valid.Auth.Cognito;
    const deployed = { API: { GraphQL: { ...valid.API.GraphQL, defaultAuthMode: 'apiKey' } }, Auth: { Cognito: cognito } };

    expect(parseAmplifyConfig(deployed)).toEqual(deployed);
  });

  it('names the missing field', () => {
    const noKey = { ...valid, API: { GraphQL: { ...valid.API.GraphQL, apiKey: undefined } } };
    const noPool = { ...valid, Auth: { Cognito: { ...valid.Auth.Cognito, userPoolClientId: '' } } };

    expect(() => parseAmplifyConfig(noKey)).toThrow(ConfigError);
    expect(() => parseAmplifyConfig(noKey)).toThrow(/apiKey/);
    expect(() => parseAmplifyConfig(noPool)).toThrow(/Auth\.Cognito\.userPoolClientId/);
    expect(() => parseAmplifyConfig({ API: valid.API })).toThrow(/Auth must be an object/);
  });
});

describe('web demo parseDemoUsers', () => {
  it('keeps well-formed accounts and skips the rest', () => {
    const raw = [
      { username: 'customer1@pizza.example', password: 'Pizza-Demo-1', role: 'customer' },
      { username: 'store1@pizza.example', password: 'Pizza-Demo-1', role: 'store', storeId: 'store-1' },
      { username: 'x@pizza.example', password: 'p', role: 'chef' },
      'nonsense',
    ];

    expect(parseDemoUsers(raw)).toEqual(raw.slice(0, 2));
    expect(() => parseDemoUsers({})).toThrow(ConfigError);
  });
});

describe('web demo sessionFromTokens', () => {
  it('derives the party from the access token groups with domain/party.ts', () => {
    const staff = sessionFromTokens(
      { sub: 'u-1', username: 'u-1', 'cognito:groups': ['stores', 'store:store-1'] },
      { email: 's@x.example' },
    );
    const customer = sessionFromTokens({ sub: 'u-2', username: 'u-2' }, undefined);

    expect(staff).toEqual({ email: 's@x.example', sub: 'u-1', party: { kind: 'store', storeId: 'store-1', userId: 'u-1' } });
    expect(customer).toEqual({ email: 'u-2', sub: 'u-2', party: { kind: 'customer', customerId: 'u-2' } });
    expect(sessionFromTokens({ username: 'no-sub' }, undefined)).toBeNull();
  });
});

describe('web demo names', () => {
  it('shows short order numbers and "you" for the signed-in user', () => {
    expect(orderNumber('3f2a1c9e-0b7d-4c1e-9a55-1d2e3f4a5b6c')).toBe('#3F2A1C');
    expect(personLabel('me', 'me', 'a driver')).toBe('you');
    expect(personLabel('other', 'me', 'a driver')).toBe('a driver');
    expect(personLabel(null, 'me', 'a driver')).toBeNull();
  });
});
