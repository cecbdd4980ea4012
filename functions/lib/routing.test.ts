import { describe, expect, it } from 'vitest';
import { estimateRoute, type RoutingDeps } from './routing.js';

const store = { latitude: 51.049, longitude: -114.0826 };
const customer = { latitude: 51.0447, longitude: -114.0719 };

function deps(key: string | null, respond: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const lines: string[] = [];
  const d: RoutingDeps = {
    apiKey: async () => key,
    baseUrl: 'https://routing.invalid/',
    fetch: (async (url: string, init: RequestInit) => (calls.push({ url, init }), respond(url, init))) as typeof fetch,
    log: (line) => lines.push(line),
  };
  return { d, calls, lines };
}

const orsBody = {
  features: [
    {
      properties: {
        summary: { distance: 1800, duration: 240 },
        segments: [{ steps: [{ instruction: 'Turn left', distance: 1800, duration: 240 }] }],
      },
    },
  ],
};

describe('estimateRoute', () => {
  it('uses the straight line, labelled, when no key is configured', async () => {
    const { d, calls, lines } = deps(null, () => new Response('{}'));
    expect((await estimateRoute(store, customer, d)).source).toBe('STRAIGHT_LINE');
    expect(calls).toEqual([]);
    expect(lines.join()).toContain('no routing API key');
  });

  it('asks openrouteservice with the decrypted key, longitude first', async () => {
    const { d, calls } = deps('ors-key', () => Response.json(orsBody));
    const estimate = await estimateRoute(store, customer, d);
    expect(estimate).toMatchObject({ source: 'ROUTING_SERVICE', durationSeconds: 240, distanceMeters: 1800 });
    expect(calls[0]?.url).toBe('https://routing.invalid/v2/directions/driving-car/geojson');
    expect((calls[0]?.init.headers as Record<string, string>).authorization).toBe('ors-key');
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({
      coordinates: [
        [store.longitude, store.latitude],
        [customer.longitude, customer.latitude],
      ],
    });
  });

  it('falls back to the straight line when the service fails, without logging the key', async () => {
    const { d, lines } = deps('ors-key', () => new Response('quota', { status: 429 }));
    expect((await estimateRoute(store, customer, d)).source).toBe('STRAIGHT_LINE');
    expect(lines.join()).toContain('HTTP 429');
    expect(lines.join()).not.toContain('ors-key');
  });

  it('falls back when the network call throws', async () => {
    const { d } = deps('ors-key', () => {
      throw new TypeError('fetch failed');
    });
    expect((await estimateRoute(store, customer, d)).source).toBe('STRAIGHT_LINE');
  });
});
