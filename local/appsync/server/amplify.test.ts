/**
 * The unmodified aws-amplify v6 client against this server, in Node 22 (global WebSocket),
 * with the split config that needs no TLS (reference/appsync-local.md §1.2 A).
 */
import { Amplify } from 'aws-amplify';
import { generateClient, type GraphQLSubscription } from 'aws-amplify/api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_KEY, REGION, startTestServer } from './test-kit.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;

beforeAll(async () => {
  server = await startTestServer();
  Amplify.configure({
    API: {
      GraphQL: {
        endpoint: `ws://127.0.0.1:${server.port}/graphql`,
        customEndpoint: server.url,
        customEndpointRegion: REGION,
        region: REGION,
        defaultAuthMode: 'apiKey',
        apiKey: API_KEY,
      },
    },
  });
});
afterAll(async () => {
  await server.stop();
});

describe('aws-amplify v6 client', () => {
  it('runs a query over HTTP with the API key', async () => {
    const client = generateClient();
    const res = await client.graphql({ query: 'query Q($id: ID!) { getThing(id: $id) { id owner } }', variables: { id: 'amp-1' } });
    expect(res).toMatchObject({ data: { getThing: { id: 'amp-1', owner: 'olga' } } });
  });

  it('rejects with the whole { data, errors } result on a resolver error', async () => {
    const client = generateClient();
    await expect(client.graphql({ query: '{ fails { id } }' })).rejects.toMatchObject({
      errors: [{ errorType: 'NotFound', message: 'No such thing' }],
    });
  });

  it('subscribes, receives the event a mutation publishes, and unsubscribes cleanly', async () => {
    const client = generateClient();
    const events: unknown[] = [];
    const failures: unknown[] = [];
    const subscription = client
      .graphql<GraphQLSubscription<{ onThing: { id: string; owner: string | null; status: string } | null }>>({
        query: 'subscription S($id: ID) { onThing(id: $id) { id owner status } }',
        variables: { id: 'amp-2' },
      })
      .subscribe({ next: (event: unknown) => events.push(event), error: (err: unknown) => failures.push(err) });
    await vi.waitFor(() => expect(server.publishStats().subscriptions).toBe(1), { timeout: 5000 });

    const mutation = await client.graphql({ query: 'mutation { putThing(id: "amp-2", owner: "amy") { id owner status } }' });
    expect(mutation).toMatchObject({ data: { putThing: { id: 'amp-2', owner: 'amy', status: 'NEW' } } });
    await vi.waitFor(() => expect(events).toHaveLength(1), { timeout: 5000 });
    expect(events[0]).toMatchObject({ data: { onThing: { id: 'amp-2', owner: 'amy', status: 'NEW' } } });

    subscription.unsubscribe();
    await vi.waitFor(() => expect(server.publishStats().subscriptions).toBe(0), { timeout: 5000 });
    // Amplify sends stop, waits about 1 s, then closes its socket.
    await vi.waitFor(() => expect(server.publishStats().connections).toBe(0), { timeout: 5000 });
    expect(failures).toEqual([]);
  });
});
