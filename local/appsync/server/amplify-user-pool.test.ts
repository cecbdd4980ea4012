/**
 * The unmodified aws-amplify v6 client in its userPool mode against this server and the local
 * Cognito pool: signIn (SRP), then queries over HTTP and a subscription over the realtime socket,
 * both carrying the access token as Amplify sends it. Configured like local/stack.ts's
 * amplify-config.json (user pool the default mode, the API key kept for the store list).
 */
import { Amplify } from 'aws-amplify';
import { generateClient, type GraphQLSubscription } from 'aws-amplify/api';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { order, PASSWORD, startIdentityServer, usernameOf, type IdentityServer } from './identity-kit.js';
import { API_KEY, iamHeaders, postGraphQL, REGION } from './test-kit.js';

let server: IdentityServer;

beforeAll(async () => {
  server = await startIdentityServer();
  Amplify.configure({
    API: {
      GraphQL: {
        endpoint: `ws://127.0.0.1:${server.port}/graphql`,
        customEndpoint: server.url,
        customEndpointRegion: REGION,
        region: REGION,
        defaultAuthMode: 'userPool',
        apiKey: API_KEY,
      },
    },
    Auth: {
      Cognito: { userPoolId: server.pool.userPoolId, userPoolClientId: server.pool.clientId, userPoolEndpoint: server.pool.endpoint },
    },
  });
  await signIn({ username: usernameOf('customer1'), password: PASSWORD });
}, 30_000);
afterAll(async () => {
  await signOut();
  await server.dispose();
});

type OrderEvent = { onOrderUpdated: { orderId: string; customerId: string } | null };

describe('aws-amplify v6 in userPool mode', () => {
  it('sends the access token over HTTP: the server sees the signed-in user', async () => {
    const client = generateClient();
    const res = await client.graphql({ query: '{ myOrders { items { orderId } nextToken } }' });
    expect(res).toMatchObject({ data: { myOrders: { items: [], nextToken: null } } });
    const session = await fetchAuthSession();
    expect(server.invocations.at(-1)).toMatchObject({
      authType: 'AMAZON_COGNITO_USER_POOLS',
      identity: { sub: server.sub('customer1'), claims: { token_use: 'access', client_id: server.pool.clientId } },
    });
    expect(session.tokens?.accessToken.payload.sub).toBe(server.sub('customer1'));
  });

  it("still reads the store list with the config's API key when asked to", async () => {
    const client = generateClient();
    const res = await client.graphql({ query: '{ listStores { storeId } }', authMode: 'apiKey' });
    expect(res).toMatchObject({ data: { listStores: [{ storeId: 's1' }] } });
    expect(server.invocations.at(-1)).toMatchObject({ authType: 'API_KEY', identity: null });
  });

  it('subscribes with the access token and hears only its own orders', async () => {
    const client = generateClient();
    const events: OrderEvent[] = [];
    const failures: unknown[] = [];
    const subscription = client
      .graphql<GraphQLSubscription<OrderEvent>>({ query: 'subscription { onOrderUpdated { orderId customerId } }' })
      .subscribe({ next: (event) => events.push(event.data), error: (err: unknown) => failures.push(err) });
    await vi.waitFor(() => expect(server.publishStats().subscriptions).toBe(1), { timeout: 5000 });

    const mutation = 'mutation P($o: AWSJSON!) { publishOrderUpdate(order: $o) { orderId customerId storeId status driverId } }';
    for (const o of [
      order({ orderId: 'someone-elses', customerId: server.sub('customer2') }),
      order({ orderId: 'mine', customerId: server.sub('customer1') }),
    ]) {
      const body = { query: mutation, variables: { o: JSON.stringify(o) } };
      expect((await postGraphQL(server.url, body, await iamHeaders(server.url, body))).status).toBe(200);
    }
    await vi.waitFor(() => expect(events).toHaveLength(1), { timeout: 5000 });
    expect(events).toEqual([{ onOrderUpdated: { orderId: 'mine', customerId: server.sub('customer1') } }]);

    subscription.unsubscribe();
    await vi.waitFor(() => expect(server.publishStats().subscriptions).toBe(0), { timeout: 5000 });
    expect(failures).toEqual([]);
  });
});
