/**
 * The identity contract at the server's edge, on the project's schema: user pools the default
 * mode, IAM only for granted principals, the API key only for the store list; refusals as AppSync
 * words them; the subscription filter set from the subscriber's identity by the real APPSYNC_JS
 * runtime, and enforced by the hub.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { unauthorizedBody } from './errors.js';
import {
  order,
  PROJECT_AUTH_MODES,
  startIdentityServer,
  UNGRANTED_IAM_PRINCIPAL,
  type Account,
  type IdentityServer,
} from './identity-kit.js';
import { UserPoolNotConfiguredError } from './server.js';
import {
  API_KEY,
  headerProtocol,
  iamConnectHeaders,
  iamHeaders,
  iamStartHeaders,
  postGraphQL,
  RawClient,
  startData,
  startTestServer,
  TEST_IAM_PRINCIPAL,
  type Frame,
} from './test-kit.js';

let server: IdentityServer;
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await startIdentityServer();
}, 30_000);
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await server.dispose();
});

const host = (): string => new URL(server.url).host;
const asUser = async (account: Account): Promise<Record<string, string>> => ({ authorization: await server.accessToken(account) });
const notAuthorized = (field: string, type: string) => ({
  errorType: 'Unauthorized',
  message: `Not Authorized to access ${field} on type ${type}`,
});

const PUBLISH = 'mutation P($o: AWSJSON!) { publishOrderUpdate(order: $o) { orderId customerId storeId status driverId } }';
const publishBody = (o: Record<string, unknown>) => ({ query: PUBLISH, variables: { o: JSON.stringify(o) } });

/** publishOrderUpdate signed by `credentials` (the granted publisher by default). */
async function publish(o: Record<string, unknown>, credentials = TEST_IAM_PRINCIPAL) {
  const body = publishBody(o);
  return postGraphQL(server.url, body, await iamHeaders(server.url, body, { credentials }));
}

describe('HTTP: the default mode is the user pool', () => {
  it('serves a field without directives to a signed-in user (access token in Authorization)', async () => {
    const res = await postGraphQL(server.url, { query: '{ myOrders { items { orderId } nextToken } }' }, await asUser('customer1'));
    expect(res).toMatchObject({ status: 200, json: { data: { myOrders: { items: [], nextToken: null } } } });
    expect(server.invocations.at(-1)).toMatchObject({
      authType: 'AMAZON_COGNITO_USER_POOLS',
      identity: { sub: server.sub('customer1'), groups: null },
    });
  });

  it('refuses the API key on a user-pool-only field with a field error, running nothing', async () => {
    const before = server.invocations.length;
    const res = await postGraphQL(server.url, { query: '{ getOrder(orderId: "o-1") { orderId } }' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ data: { getOrder: null }, errors: [{ path: ['getOrder'], ...notAuthorized('getOrder', 'Query') }] });
    expect(server.invocations.length).toBe(before);
  });

  it('serves the store list to the API key and to users, and refuses it to IAM', async () => {
    const query = { query: '{ listStores { storeId name } }' };
    expect((await postGraphQL(server.url, query)).json).toEqual({ data: { listStores: [{ storeId: 's1', name: 'Pizza One' }] } });
    expect((await postGraphQL(server.url, query, await asUser('driver1'))).json).toMatchObject({
      data: { listStores: [{ storeId: 's1' }] },
    });
    const iam = await postGraphQL(server.url, query, await iamHeaders(server.url, query));
    expect(iam.json).toMatchObject({ data: null, errors: [notAuthorized('listStores', 'Query')] });
  });

  it('answers a request without credentials, or with a bad token, with 401 UnauthorizedException', async () => {
    const none = await postGraphQL(server.url, { query: '{ myOrders { nextToken } }' }, {});
    expect(none).toMatchObject({ status: 401, json: unauthorizedBody() });
    const token = await server.accessToken('customer1');
    const tampered = `${token.slice(0, -4)}AAAA`;
    const bad = await postGraphQL(server.url, { query: '{ myOrders { nextToken } }' }, { authorization: tampered });
    expect(bad).toMatchObject({ status: 401, json: unauthorizedBody() });
  });

  it('refuses publishOrderUpdate to a signed-in user (IAM only)', async () => {
    const res = await postGraphQL(server.url, publishBody(order({})), await asUser('operator'));
    expect(res.json).toMatchObject({ data: { publishOrderUpdate: null }, errors: [notAuthorized('publishOrderUpdate', 'Mutation')] });
  });
});

describe('HTTP: IAM callers', () => {
  it('lets the granted principal publish an order update', async () => {
    const res = await publish(order({ orderId: 'o-granted' }));
    expect(res.json).toEqual({
      data: { publishOrderUpdate: { orderId: 'o-granted', customerId: 'nobody', storeId: 's1', status: 'PLACED', driverId: null } },
    });
  });

  it('refuses a known principal that no grant names, with a field error', async () => {
    const before = server.invocations.length;
    const res = await publish(order({ orderId: 'o-ungranted' }), UNGRANTED_IAM_PRINCIPAL);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ data: { publishOrderUpdate: null }, errors: [notAuthorized('publishOrderUpdate', 'Mutation')] });
    expect(server.invocations.length).toBe(before);
  });

  it('answers a forged signature (the publisher key, a guessed secret) with 401', async () => {
    const res = await publish(order({}), { ...TEST_IAM_PRINCIPAL, secretAccessKey: 'guessed' });
    expect(res).toMatchObject({ status: 401, json: unauthorizedBody() });
  });
});

describe('a server whose only mode is the user pool', () => {
  it('refuses the API key and a valid SigV4 signature with 401', async () => {
    const only = await startTestServer({
      schemaSdl: 'type Query { hello: String }',
      resolvers: new Map([['Query.hello', async () => ({ data: 'hi', errors: [] })]]),
      authModes: { defaultMode: 'AMAZON_COGNITO_USER_POOLS', additionalModes: [] },
      userPool: { issuer: server.pool.issuer, clientIds: [server.pool.clientId] },
    });
    try {
      const body = { query: '{ hello }' };
      expect((await postGraphQL(only.url, body, { 'x-api-key': API_KEY })).status).toBe(401);
      expect((await postGraphQL(only.url, body, await iamHeaders(only.url, body))).status).toBe(401);
      expect((await postGraphQL(only.url, body, await asUser('customer1'))).json).toEqual({ data: { hello: 'hi' } });
    } finally {
      await only.stop();
    }
  });

  it('will not start with user pools as a mode and no pool to verify tokens', async () => {
    await expect(startTestServer({ authModes: PROJECT_AUTH_MODES })).rejects.toThrow(UserPoolNotConfiguredError);
  });
});

/** A realtime connection authenticated like Amplify's userPool mode (access token in the header). */
async function userSocket(account: Account): Promise<{ c: RawClient; token: string }> {
  const token = await server.accessToken(account);
  const c = new RawClient(server.realtimeUrl, ['graphql-ws', headerProtocol({ Authorization: token, host: host() })]);
  clients.push(c);
  await c.init();
  return { c, token };
}

const ON_ORDER = 'subscription S($orderId: ID, $storeId: ID) { onOrderUpdated(orderId: $orderId, storeId: $storeId) { orderId status } }';

/** Starts onOrderUpdated as the socket's user and resolves with the start's answer (start_ack or error). */
async function startAs(c: RawClient, token: string, id: string, variables: Record<string, unknown> = {}): Promise<Frame> {
  c.start(id, ON_ORDER, variables, { Authorization: token, host: host() });
  return c.waitFor((f) => f.id === id && (f.type === 'start_ack' || f.type === 'error'));
}

const received = (c: RawClient, id: string): string[] =>
  c.frames.filter((f) => f.type === 'data' && f.id === id).map((f) => String(f.payload.data.onOrderUpdated.orderId));

describe('realtime', () => {
  it('acknowledges a user-pool connection and start (header auth)', async () => {
    const { c, token } = await userSocket('customer1');
    expect(await startAs(c, token, 'mine')).toMatchObject({ type: 'start_ack' });
  });

  it('refuses onOrderUpdated to the API key with a field error', async () => {
    const c = new RawClient(server.realtimeUrl, ['graphql-ws', headerProtocol({ 'x-api-key': API_KEY, host: host() })]);
    clients.push(c);
    await c.init();
    c.start('k', ON_ORDER, {}, { 'x-api-key': API_KEY, host: host() });
    const err = await c.waitFor((f) => f.id === 'k' && f.type === 'error');
    expect(err.payload.errors).toEqual([notAuthorized('onOrderUpdated', 'Subscription')]);
  });

  it('refuses onOrderUpdated to the granted IAM principal too (not an IAM field)', async () => {
    const c = new RawClient(server.realtimeUrl, ['graphql-ws', headerProtocol(await iamConnectHeaders(server.url))]);
    clients.push(c);
    await c.init();
    c.start('i', ON_ORDER, {}, await iamStartHeaders(server.url, startData(ON_ORDER)));
    const err = await c.waitFor((f) => f.id === 'i' && f.type === 'error');
    expect(err.payload.errors).toEqual([notAuthorized('onOrderUpdated', 'Subscription')]);
  });

  it('answers a forged SigV4 connection with connection_error 401 and closes', async () => {
    const forged = await iamConnectHeaders(server.url, { credentials: { ...TEST_IAM_PRINCIPAL, secretAccessKey: 'guessed' } });
    const c = new RawClient(server.realtimeUrl, ['graphql-ws', headerProtocol(forged)]);
    clients.push(c);
    await c.opened;
    c.send({ type: 'connection_init' });
    const err = await c.waitFor((f) => f.type === 'connection_error');
    expect(err.payload.errors).toEqual([{ ...unauthorizedBody().errors?.[0], errorCode: 401 }]);
    expect(await c.closed).toBe(4401);
  });

  it("refuses the start when the subscription resolver calls util.unauthorized(), in AppSync's shape", async () => {
    const { c, token } = await userSocket('twoStores');
    const err = await startAs(c, token, 'none');
    expect(err).toEqual({ type: 'error', id: 'none', payload: { errors: [notAuthorized('onOrderUpdated', 'Subscription')] } });
    expect(server.publishStats().subscriptions).toBe(0);
  });
});

describe('subscription filters set from the identity', () => {
  it('delivers each party exactly its orders; arguments only narrow', async () => {
    const customer = await userSocket('customer1');
    const staff = await userSocket('staff1');
    const driver = await userSocket('driver1');
    const operator = await userSocket('operator');
    const starts = await Promise.all([
      startAs(customer.c, customer.token, 'all'),
      // Another customer's order named in the arguments: the filter is still "customerId = me".
      startAs(customer.c, customer.token, 'theirs', { orderId: 'o-c2' }),
      startAs(staff.c, staff.token, 'all'),
      // Another store named: "storeId = s1 AND storeId = s2" matches nothing.
      startAs(staff.c, staff.token, 'other-store', { storeId: 's2' }),
      startAs(driver.c, driver.token, 'all'),
      startAs(operator.c, operator.token, 'all'),
    ]);
    expect(starts.map((f) => f.type)).toEqual(Array(6).fill('start_ack'));

    const c1 = server.sub('customer1');
    const c2 = server.sub('customer2');
    const events = [
      order({ orderId: 'o-c2', customerId: c2, storeId: 's1', status: 'PLACED' }),
      order({ orderId: 'o-c1', customerId: c1, storeId: 's2', status: 'ACCEPTED' }),
      order({ orderId: 'o-d2', customerId: c2, storeId: 's1', status: 'OUT_FOR_DELIVERY', driverId: server.sub('driver2') }),
      order({ orderId: 'o-d1', customerId: c2, storeId: 's1', status: 'OUT_FOR_DELIVERY', driverId: server.sub('driver1') }),
      // Seen by every socket's first subscription: once it arrives, every earlier frame of that socket has too.
      order({ orderId: 'o-end', customerId: c1, storeId: 's1', status: 'ACCEPTED' }),
    ];
    for (const e of events) expect((await publish(e)).status).toBe(200);
    for (const { c } of [customer, staff, driver, operator])
      await c.waitFor((f) => f.type === 'data' && f.payload.data.onOrderUpdated.orderId === 'o-end');

    expect(received(customer.c, 'all')).toEqual(['o-c1', 'o-end']);
    expect(received(customer.c, 'theirs')).toEqual([]);
    expect(received(staff.c, 'all')).toEqual(['o-c2', 'o-d2', 'o-d1', 'o-end']);
    expect(received(staff.c, 'other-store')).toEqual([]);
    // Two filter groups, OR-ed: offered to drivers (ACCEPTED), or this driver's own delivery.
    expect(received(driver.c, 'all')).toEqual(['o-c1', 'o-d1', 'o-end']);
    expect(received(operator.c, 'all')).toEqual(['o-c2', 'o-c1', 'o-d2', 'o-d1', 'o-end']);
  });

  it('publishes nothing from a refused publisher', async () => {
    const operator = await userSocket('operator');
    expect((await startAs(operator.c, operator.token, 'all')).type).toBe('start_ack');
    await publish(order({ orderId: 'o-refused' }), UNGRANTED_IAM_PRINCIPAL);
    await publish(order({ orderId: 'o-after' }));
    await operator.c.waitFor((f) => f.type === 'data');
    expect(received(operator.c, 'all')).toEqual(['o-after']);
  });
});
