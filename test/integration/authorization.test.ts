/**
 * Identity on one local stack (issue 7). Signing in: the stack's user pool in amplify-config, the
 * seeded demo accounts in their groups, self sign-up. Who may do what (README "Who may do what"):
 * every query, mutation
 * and subscription for each signed-in party, a caller with only the API key, the backend's IAM
 * principal and a caller without credentials. Parties act through the real aws-amplify client
 * (their own access token each, see harness.ts); subscriptions that must hear nothing, forged
 * tokens and signatures go over raw realtime sockets and raw HTTP. Every refusal is typed, writes
 * nothing (the Orders table, the executions and the alert queues are compared before and after)
 * and reaches no subscriber.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { GetQueueAttributesCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { SignatureV4 } from '@smithy/signature-v4';
import { generateClient } from 'aws-amplify/api';
import { confirmSignUp, fetchAuthSession, signIn, signOut, signUp } from 'aws-amplify/auth';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Order } from '../../generated/graphql.js';
import { AssignStaffDocument, CreateStoreDocument, SetStoreOpenDocument } from '../../generated/operations.js';
import { userPoolAdmin } from '../../functions/lib/user-pool.js';
import { SEED_STORE_ID, SEED_STORES } from '../../infra/seed-stores.js';
import { headerProtocol, RawClient, type Frame } from '../../local/appsync/server/test-kit.js';
import { startCognitoUserPool } from '../../local/cognito/index.js';
import { LOCAL_CREDENTIALS } from '../../local/util/aws.js';
import {
  apiKeyClient,
  eventually,
  gql,
  orderInput,
  scanOrders,
  startHarness,
  subscribe,
  type Client,
  type Harness,
  type OrderEvent,
  type Party,
  type PartyName,
} from './harness.js';
import {
  CANCEL_ORDER,
  COMPLETE_DELIVERY,
  DECIDE_ORDER,
  GET_ORDER,
  LIST_STORES,
  MY_ORDERS,
  ON_ORDER_UPDATED,
  ORDERS_BY_STORE,
  ORDERS_FOR_PICKUP,
  PICKUP_ORDER,
  PLACE_ORDER,
  PUBLISH_ORDER_UPDATE,
} from './operations.js';

/** A principal the stack knows (its signatures verify) but the manifest grants nothing. */
const UNGRANTED = {
  accessKeyId: 'AKIDUNGRANTED0000000',
  secretAccessKey: 'ungranted-secret-0000000000000000',
  arn: 'arn:aws:iam::000000000000:user/ungranted',
};

let h: Harness;
const parties = {} as Record<PartyName, Party>;
const SIGNED_IN: readonly PartyName[] = ['customer1', 'customer2', 'store1', 'store2', 'driver1', 'driver2', 'operator'];

/** The sign-up codes the local pool would have emailed, by username. */
const confirmationCodes = new Map<string, string>();

beforeAll(async () => {
  h = await startHarness({
    extraIamPrincipals: [UNGRANTED],
    onConfirmationCode: (username, code) => confirmationCodes.set(username, code),
  });
  for (const name of SIGNED_IN) parties[name] = await h.party(name);
  expect(parties.store1.storeId).toBe(SEED_STORE_ID);
});

afterAll(async () => {
  await h?.stop();
});

// --- signing in -----------------------------------------------------------------------------------

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('signing in', () => {
  it('puts the user pool into amplify-config beside the API', () => {
    expect(h.stack.amplifyConfig.Auth.Cognito).toEqual({
      userPoolId: h.stack.userPool.userPoolId,
      userPoolClientId: h.stack.userPool.clientId,
      userPoolEndpoint: h.stack.userPool.endpoint,
      loginWith: { email: true },
      signUpVerificationMethod: 'code',
    });
    expect(h.stack.userPool.issuer).toBe(`${h.stack.userPool.endpoint}/${h.stack.userPool.userPoolId}`);
  });

  it('seeds two customers, one staff account per store, two drivers and (apart) an operator, each in their groups', () => {
    const roles = h.stack.demoUsers.map((u) => u.role);
    expect(new Set(roles)).toEqual(new Set(['customer', 'store', 'driver']));
    expect(roles.filter((r) => r === 'customer')).toHaveLength(2);
    expect(roles.filter((r) => r === 'driver')).toHaveLength(2);
    expect(h.stack.demoOperators.map((u) => u.role)).toEqual(['operator']);
    const staff = h.stack.demoUsers.flatMap((u) => (u.role === 'store' ? [u.storeId] : []));
    expect(staff.sort()).toEqual(SEED_STORES.map((s) => s.storeId).sort());
    const usernames = [...h.stack.demoUsers, ...h.stack.demoOperators].map((u) => u.username);
    expect(new Set(usernames).size).toBe(usernames.length);

    // The access tokens the parties signed in with (Amplify's default flow) carry the groups AppSync reads.
    const groups = (name: PartyName) => claimsOf(parties[name].token)['cognito:groups'];
    expect(groups('customer1')).toEqual(['customers']);
    expect(groups('store2')).toEqual(expect.arrayContaining(['stores', `store:${parties.store2.storeId ?? ''}`]));
    expect(groups('store2')).toHaveLength(2);
    expect(groups('driver1')).toEqual(['drivers']);
    expect(groups('operator')).toEqual(['operators']);
    expect(claimsOf(parties.customer1.token)).toMatchObject({
      iss: h.stack.userPool.issuer,
      token_use: 'access',
      sub: parties.customer1.sub,
    });
    expect(new Set(SIGNED_IN.map((name) => parties[name].sub)).size).toBe(SIGNED_IN.length);
  });

  it("lets a new customer sign up, confirm the emailed code, sign in in customers (the PostConfirmation trigger), and use the API in Amplify's userPool mode", async () => {
    const email = `new-customer-${process.pid}-${Date.now()}@example.com`;
    const signedUp = await signUp({ username: email, password: 'Fresh-Pie-42', options: { userAttributes: { email } } });
    expect(signedUp).toMatchObject({ isSignUpComplete: false, nextStep: { signUpStep: 'CONFIRM_SIGN_UP' } });
    expect(await signIn({ username: email, password: 'Fresh-Pie-42' })).toMatchObject({
      isSignedIn: false,
      nextStep: { signInStep: 'CONFIRM_SIGN_UP' },
    });
    const confirmed = await confirmSignUp({ username: email, confirmationCode: confirmationCodes.get(email) ?? '' });
    expect(confirmed).toMatchObject({ isSignUpComplete: true });
    expect((await signIn({ username: email, password: 'Fresh-Pie-42' })).isSignedIn).toBe(true);
    try {
      const { tokens } = await fetchAuthSession();
      expect(tokens?.accessToken.payload['cognito:groups']).toEqual(['customers']);
      const client = generateClient({ authMode: 'userPool' });
      const { data } = (await client.graphql({ query: MY_ORDERS })) as { data: { myOrders: { items: unknown[] } } };
      expect(data.myOrders.items).toEqual([]);
    } finally {
      await signOut();
    }
  });
});

// --- callers -------------------------------------------------------------------------------------

/** A GraphQL answer as the wire had it. */
interface Answer {
  readonly status: number;
  readonly data: Record<string, unknown> | null;
  readonly errors: readonly { readonly errorType?: string; readonly message: string }[];
}

interface Caller {
  readonly name: string;
  run(query: string, variables: Record<string, unknown>): Promise<Answer>;
}

type RawGraphql = (o: { query: string; variables: Record<string, unknown> }) => Promise<{ data: Record<string, unknown> }>;

/** A caller through Amplify (a party's client, or the API key). */
function amplifyCaller(client: Client): Caller {
  return {
    name: client.name,
    async run(query, variables) {
      try {
        const { data } = await (client.graphql as RawGraphql)({ query, variables });
        return { status: 200, data, errors: [] };
      } catch (error) {
        if (typeof error !== 'object' || error === null || !('errors' in error) || !Array.isArray(error.errors)) throw error;
        const data = 'data' in error && typeof error.data === 'object' ? (error.data as Record<string, unknown> | null) : null;
        return { status: 200, data, errors: error.errors as Answer['errors'] };
      }
    },
  };
}

/** A raw POST /graphql with the headers `headersFor(body)` gives (none, or a SigV4 signature). */
function rawCaller(name: string, headersFor: (body: string) => Promise<Record<string, string>>): Caller {
  return {
    name,
    async run(query, variables) {
      const body = JSON.stringify({ query, variables });
      const response = await fetch(h.stack.graphqlUrl, { method: 'POST', headers: await headersFor(body), body });
      const json = (await response.json()) as { data?: Record<string, unknown> | null; errors?: Answer['errors'] };
      return { status: response.status, data: json.data ?? null, errors: json.errors ?? [] };
    },
  };
}

/** SigV4 headers for a POST of `body` to the stack's /graphql, as the backend's publisher signs it. */
async function sigV4Headers(credentials: { accessKeyId: string; secretAccessKey: string }, body: string, path = '/graphql') {
  const endpoint = new URL(h.stack.graphqlUrl);
  const signer = new SignatureV4({ service: 'appsync', region: h.stack.region, credentials, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: Number(endpoint.port),
    path,
    headers: { host: endpoint.host, 'content-type': 'application/json' },
    body,
  });
  return signed.headers;
}

const noCredentials = (): Caller => rawCaller('none', async () => ({ 'content-type': 'application/json' }));
const backend = (): Caller => rawCaller('iam', (body) => sigV4Headers(LOCAL_CREDENTIALS, body));

/**
 * What a cell of the matrix came to: `ok`, `401` (no valid credentials), or the errorType of the
 * refusal. A field the caller's auth mode may not use and a resolver's `util.unauthorized()` both
 * answer AppSync's `Unauthorized` "Not Authorized to access <field> on type <Type>"; a handler
 * refusing the wrong party answers `Unauthorized` with its own message.
 */
function outcome(answer: Answer): string {
  if (answer.status === 401) return '401';
  const [first] = answer.errors;
  if (first === undefined) return answer.status === 200 ? 'ok' : `HTTP ${answer.status}`;
  return first.errorType ?? 'error';
}

// --- state the policy looks at --------------------------------------------------------------------

interface Snapshot {
  readonly orders: Record<string, unknown>[];
  readonly executions: string[];
  readonly queued: Record<string, number>;
}

/** Everything a request could write: the Orders table, the workflow executions, the alert queues. */
async function snapshot(): Promise<Snapshot> {
  await h.stack.drainStreams();
  const orders = (await scanOrders(h)).sort((a, b) => String(a.orderId).localeCompare(String(b.orderId)));
  const { executions } = await h.sfn.send(new ListExecutionsCommand({ stateMachineArn: h.stack.stateMachineArn('OrderWorkflow') }));
  const { QueueUrls = [] } = await h.sqs.send(new ListQueuesCommand({}));
  const queued: Record<string, number> = {};
  for (const url of QueueUrls) {
    const { Attributes = {} } = await h.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    queued[url] = Object.values(Attributes).reduce((sum, n) => sum + Number(n), 0);
  }
  return { orders, executions: (executions ?? []).map((e) => `${e.name ?? ''} ${e.status ?? ''}`).sort(), queued };
}

async function place(party: Party, patch = {}): Promise<Order> {
  return (await gql<{ placeOrder: Order }>(party, PLACE_ORDER, { input: orderInput(patch) })).placeOrder;
}

/** Waits until the order's workflow is parked on `field` (its task token stored; the alert follows it). */
async function parked(orderId: string, field: 'storeTaskToken' | 'driverTaskToken' | 'deliveryTaskToken'): Promise<void> {
  await eventually(
    async () => ((await scanOrders(h)).find((o) => o.orderId === orderId)?.[field] === undefined ? undefined : true),
    `${orderId} to wait with its ${field}`,
  );
}

/** A raw realtime connection as `headers` authorize it; `start` subscribes with the same headers unless told otherwise. */
async function realtime(headers: Record<string, string>) {
  const host = new URL(h.stack.graphqlUrl).host;
  const auth = { ...headers, host };
  const client = new RawClient(h.stack.realtimeUrl, ['graphql-ws', headerProtocol(auth)]);
  await client.opened;
  client.send({ type: 'connection_init' });
  const answer = await client.waitFor((f) => f.type === 'connection_ack' || f.type === 'connection_error', 10_000);
  let ids = 0;
  return {
    client,
    answer,
    /** Starts onOrderUpdated; resolves with the start_ack or the error frame. */
    async start(variables: Record<string, unknown>, authorization: Record<string, string> = auth) {
      ids += 1;
      const id = `sub-${ids}`;
      client.start(id, ON_ORDER_UPDATED, variables, authorization);
      const frame = await client.waitFor((f) => f.id === id && (f.type === 'start_ack' || f.type === 'error'), 10_000);
      return { id, frame, events: (): OrderEvent[] => eventsOf(client.frames, id) };
    },
    /**
     * Resolves once the server has answered a frame sent now: every event it sent this socket
     * before (fan-out is synchronous, frames on one socket keep their order) has arrived.
     */
    async flush() {
      ids += 1;
      const id = `flush-${ids}`;
      client.send({ type: 'stop', id });
      await client.waitFor((f) => f.id === id && f.type === 'complete', 10_000);
    },
    close: () => client.close(),
  };
}

function eventsOf(frames: readonly Frame[], id: string): OrderEvent[] {
  return frames
    .filter((f) => f.id === id && f.type === 'data')
    .map((f) => (f.payload as { data: { onOrderUpdated: OrderEvent } }).data.onOrderUpdated);
}

const tokenHeaders = (party: Party) => ({ Authorization: party.token });

// --- the matrix -----------------------------------------------------------------------------------

describe('who may do what', () => {
  it('answers every query and mutation for each party as the policy says; no refusal writes anything or reaches a subscriber', async () => {
    const { customer1, customer2, store1, store2, driver1, driver2, operator } = parties;
    // Arrange: customer1's orders at store1 in each state the policy looks at, and customer2's at store2.
    const placed = await place(customer1);
    expect(placed.customerId).toBe(customer1.sub);
    const accepted = await place(customer1);
    const delivering = await place(customer1);
    for (const order of [accepted, delivering]) {
      const { decideOrder } = await gql<{ decideOrder: Order }>(store1, DECIDE_ORDER, {
        input: { orderId: order.orderId, decision: 'ACCEPT' },
      });
      expect(decideOrder.status).toBe('ACCEPTED');
    }
    const { pickupOrder } = await gql<{ pickupOrder: Order }>(driver1, PICKUP_ORDER, { input: { orderId: delivering.orderId } });
    expect(pickupOrder).toMatchObject({ status: 'OUT_FOR_DELIVERY', driverId: driver1.sub });
    const theirs = await place(customer2, { storeId: store2.storeId });
    expect(theirs.customerId).toBe(customer2.sub);
    // Every workflow parked (tokens stored, alerts sent, the ETA written), then quiet.
    await parked(placed.orderId, 'storeTaskToken');
    await parked(accepted.orderId, 'driverTaskToken');
    await parked(delivering.orderId, 'deliveryTaskToken');
    await parked(theirs.orderId, 'storeTaskToken');
    await eventually(
      async () => ((await scanOrders(h)).find((o) => o.orderId === delivering.orderId)?.deliveryEstimatedAt ? true : undefined),
      'the delivery estimate',
    );
    const before = await snapshot();
    // The operator hears every order: a refusal that published something would show here.
    const watcher = await realtime(tokenHeaders(operator));
    const watching = await watcher.start({});
    expect(watching.frame.type).toBe('start_ack');

    // Act: every cell that reads, and every cell that must refuse a write.
    const callers: Record<string, Caller> = {
      ...Object.fromEntries(SIGNED_IN.map((name) => [name, amplifyCaller(parties[name])])),
      'api key': amplifyCaller(apiKeyClient()),
      iam: backend(),
      none: noCredentials(),
    };
    const MISSING = 'no-such-order-0001';
    const forged = JSON.stringify({ ...placed, status: 'DELIVERED', version: placed.version + 5 });
    const freshOrder = () => ({ input: orderInput() });
    type Row = { op: string; query: string; variables: () => Record<string, unknown>; expect: Record<string, string> };
    const everyone = (outcome: string) => Object.fromEntries([...SIGNED_IN, 'api key'].map((n) => [n, outcome]));
    const rows: Row[] = [
      { op: 'listStores', query: LIST_STORES, variables: () => ({}), expect: { ...everyone('ok'), iam: 'Unauthorized', none: '401' } },
      {
        op: 'getOrder(placed)',
        query: GET_ORDER,
        variables: () => ({ orderId: placed.orderId }),
        expect: {
          ...{ customer1: 'ok', customer2: 'Unauthorized', store1: 'ok', store2: 'Unauthorized' },
          ...{ driver1: 'Unauthorized', driver2: 'Unauthorized', operator: 'ok' },
          ...{ 'api key': 'Unauthorized', iam: 'Unauthorized', none: '401' },
        },
      },
      {
        op: 'getOrder(accepted)',
        query: GET_ORDER,
        variables: () => ({ orderId: accepted.orderId }),
        expect: {
          customer1: 'ok',
          customer2: 'Unauthorized',
          store1: 'ok',
          store2: 'Unauthorized',
          driver1: 'ok',
          driver2: 'ok',
          operator: 'ok',
        },
      },
      {
        op: 'getOrder(delivering)',
        query: GET_ORDER,
        variables: () => ({ orderId: delivering.orderId }),
        expect: { customer1: 'ok', store1: 'ok', driver1: 'ok', driver2: 'Unauthorized', operator: 'ok' },
      },
      {
        op: 'getOrder(missing)',
        query: GET_ORDER,
        variables: () => ({ orderId: MISSING }),
        expect: { ...everyone('Unauthorized'), operator: 'ok', 'api key': 'Unauthorized' },
      },
      {
        op: 'myOrders',
        query: MY_ORDERS,
        variables: () => ({}),
        expect: {
          ...everyone('Unauthorized'),
          customer1: 'ok',
          customer2: 'ok',
          'api key': 'Unauthorized',
          iam: 'Unauthorized',
          none: '401',
        },
      },
      {
        op: 'ordersByStore()',
        query: ORDERS_BY_STORE,
        variables: () => ({}),
        expect: {
          ...{ customer1: 'Unauthorized', customer2: 'Unauthorized', store1: 'ok', store2: 'ok', driver1: 'Unauthorized' },
          ...{ driver2: 'Unauthorized', 'api key': 'Unauthorized', iam: 'Unauthorized', none: '401' },
        },
      },
      {
        op: 'ordersByStore(store1)',
        query: ORDERS_BY_STORE,
        variables: () => ({ storeId: SEED_STORE_ID }),
        expect: { customer1: 'Unauthorized', store1: 'ok', store2: 'Unauthorized', driver1: 'Unauthorized', operator: 'ok' },
      },
      {
        op: 'ordersForPickup',
        query: ORDERS_FOR_PICKUP,
        variables: () => ({}),
        expect: {
          ...{ ...everyone('Unauthorized'), driver1: 'ok', driver2: 'ok', operator: 'ok' },
          ...{ 'api key': 'Unauthorized', iam: 'Unauthorized', none: '401' },
        },
      },
      {
        op: 'placeOrder',
        query: PLACE_ORDER,
        variables: freshOrder,
        expect: {
          ...{ store1: 'Unauthorized', store2: 'Unauthorized', driver1: 'Unauthorized', driver2: 'Unauthorized', operator: 'Unauthorized' },
          ...{ 'api key': 'Unauthorized', iam: 'Unauthorized', none: '401' },
        },
      },
      {
        op: 'decideOrder(placed)',
        query: DECIDE_ORDER,
        variables: () => ({ input: { orderId: placed.orderId, decision: 'ACCEPT' } }),
        expect: { ...everyone('Unauthorized'), store1: undefined, 'api key': 'Unauthorized', iam: 'Unauthorized', none: '401' },
      },
      {
        op: 'decideOrder(missing)',
        query: DECIDE_ORDER,
        variables: () => ({ input: { orderId: MISSING, decision: 'ACCEPT' } }),
        expect: { store1: 'Unauthorized' },
      },
      {
        op: 'pickupOrder(accepted)',
        query: PICKUP_ORDER,
        variables: () => ({ input: { orderId: accepted.orderId } }),
        expect: {
          ...{ ...everyone('Unauthorized'), driver1: undefined, driver2: undefined },
          ...{ 'api key': 'Unauthorized', iam: 'Unauthorized', none: '401' },
        },
      },
      {
        op: 'completeDelivery(delivering)',
        query: COMPLETE_DELIVERY,
        variables: () => ({ input: { orderId: delivering.orderId } }),
        expect: { ...everyone('Unauthorized'), driver1: undefined, 'api key': 'Unauthorized', iam: 'Unauthorized', none: '401' },
      },
      {
        op: 'completeDelivery(missing)',
        query: COMPLETE_DELIVERY,
        variables: () => ({ input: { orderId: MISSING } }),
        expect: { driver1: 'Unauthorized' },
      },
      {
        op: 'cancelOrder(placed)',
        query: CANCEL_ORDER,
        variables: () => ({ input: { orderId: placed.orderId } }),
        expect: { ...everyone('Unauthorized'), customer1: undefined, 'api key': 'Unauthorized', iam: 'Unauthorized', none: '401' },
      },
      {
        op: 'cancelOrder(missing)',
        query: CANCEL_ORDER,
        variables: () => ({ input: { orderId: MISSING } }),
        expect: { customer1: 'Unauthorized' },
      },
      {
        op: 'publishOrderUpdate',
        query: PUBLISH_ORDER_UPDATE,
        variables: () => ({ order: forged }),
        expect: { ...everyone('Unauthorized'), none: '401' },
      },
    ].map((row) => ({
      ...row,
      expect: Object.fromEntries(Object.entries(row.expect).filter(([, v]) => v !== undefined)) as Record<string, string>,
    }));

    const answers = new Map<string, Answer>();
    await Promise.all(
      rows.flatMap((row) =>
        Object.keys(row.expect).map(async (name) => {
          const caller = callers[name];
          if (caller === undefined) throw new Error(`no caller ${name}`);
          answers.set(`${row.op} ${name}`, await caller.run(row.query, row.variables()));
        }),
      ),
    );
    const answer = (cell: string): Answer => {
      const found = answers.get(cell);
      if (found === undefined) throw new Error(`no answer for ${cell}`);
      return found;
    };

    // Assert: the whole matrix at once (a failure shows every wrong cell).
    const expected = Object.fromEntries(rows.flatMap((row) => Object.entries(row.expect).map(([name, o]) => [`${row.op} ${name}`, o])));
    const actual = Object.fromEntries(Object.keys(expected).map((cell) => [cell, outcome(answer(cell))]));
    expect(actual).toEqual(expected);

    // A missing order and another party's order are refused alike: nothing but the id differs.
    const refusal = (cell: string, orderId: string): unknown =>
      JSON.parse(JSON.stringify(answer(cell).errors[0]).replaceAll(orderId, '<orderId>'));
    const alike = (missingCell: string, theirsCell: string, theirsId: string) =>
      expect(refusal(missingCell, MISSING)).toEqual(refusal(theirsCell, theirsId));
    alike('getOrder(missing) customer2', 'getOrder(placed) customer2', placed.orderId);
    alike('decideOrder(missing) store1', 'decideOrder(placed) store2', placed.orderId);
    alike('completeDelivery(missing) driver1', 'completeDelivery(delivering) driver2', delivering.orderId);
    alike('cancelOrder(missing) customer1', 'cancelOrder(placed) customer2', placed.orderId);
    expect(answer('getOrder(missing) operator').data).toEqual({ getOrder: null });

    // What each party's reads hold.
    const ids = (cell: string, field: string) =>
      ((answer(cell).data?.[field] as { items: { orderId: string }[] } | undefined)?.items ?? []).map((o) => o.orderId);
    expect((answer('getOrder(placed) customer1').data?.getOrder as Order).customerId).toBe(customer1.sub);
    expect(ids('myOrders customer1', 'myOrders')).toEqual(expect.arrayContaining([placed.orderId, accepted.orderId, delivering.orderId]));
    expect(ids('myOrders customer1', 'myOrders')).not.toContain(theirs.orderId);
    expect(ids('myOrders customer2', 'myOrders')).toEqual([theirs.orderId]);
    expect(ids('ordersByStore() store1', 'ordersByStore')).toEqual(expect.arrayContaining([placed.orderId, accepted.orderId]));
    expect(ids('ordersByStore() store1', 'ordersByStore')).not.toContain(theirs.orderId);
    expect(ids('ordersByStore() store2', 'ordersByStore')).toEqual([theirs.orderId]);
    expect(ids('ordersByStore(store1) operator', 'ordersByStore')).toEqual(ids('ordersByStore() store1', 'ordersByStore'));
    for (const driver of ['driver1', 'driver2', 'operator']) {
      expect(ids(`ordersForPickup ${driver}`, 'ordersForPickup')).toEqual([accepted.orderId]);
    }

    // Nothing was written, started, queued or published.
    expect(await snapshot()).toEqual(before);
    await watcher.flush();
    expect(watching.events()).toEqual([]);
    await watcher.close();

    // The cells that write: the driver who picked it up delivers, the customer cancels.
    const { completeDelivery } = await gql<{ completeDelivery: Order }>(driver1, COMPLETE_DELIVERY, {
      input: { orderId: delivering.orderId },
    });
    expect(completeDelivery).toMatchObject({ status: 'DELIVERED', driverId: driver1.sub });
    const { cancelOrder } = await gql<{ cancelOrder: Order }>(customer1, CANCEL_ORDER, { input: { orderId: placed.orderId } });
    expect(cancelOrder).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_CANCELLED' });
    // A party id in an input is no longer part of the schema: it cannot name someone else.
    const named = await amplifyCaller(driver2).run(PICKUP_ORDER, { input: { orderId: accepted.orderId, driverId: driver1.sub } });
    expect(named.errors).not.toEqual([]);
  });

  it('lets each party hear only its own orders live; arguments narrow, never widen', async () => {
    const { customer1, customer2, store1, store2, driver1, driver2, operator } = parties;
    const mine = await place(customer1);
    // Raw sockets for what must hear nothing, each also hearing something it may (so it is live).
    const c2 = await realtime(tokenHeaders(customer2));
    const s2 = await realtime(tokenHeaders(store2));
    const d2 = await realtime(tokenHeaders(driver2));
    const c2All = await c2.start({});
    const c2Mine = await c2.start({ orderId: mine.orderId });
    const c2Store = await c2.start({ storeId: SEED_STORE_ID });
    const s2All = await s2.start({});
    const s2Store1 = await s2.start({ storeId: SEED_STORE_ID });
    const d2All = await d2.start({});
    for (const sub of [c2All, c2Mine, c2Store, s2All, s2Store1, d2All]) expect(sub.frame.type).toBe('start_ack');
    // The parties who may hear it, through Amplify.
    const owner = await subscribe(customer1);
    const ownerNarrowed = await subscribe(customer1, { orderId: mine.orderId });
    const store = await subscribe(store1);
    const driver = await subscribe(driver1);
    const everything = await subscribe(operator);
    try {
      // Act: customer1's order goes all the way; customer2 places one at store2.
      await gql(store1, DECIDE_ORDER, { input: { orderId: mine.orderId, decision: 'ACCEPT' } });
      await gql(driver1, PICKUP_ORDER, { input: { orderId: mine.orderId } });
      await everything.waitFor((e) => e.orderId === mine.orderId && e.estimateSource !== null, 'the ETA');
      await gql(driver1, COMPLETE_DELIVERY, { input: { orderId: mine.orderId } });
      const theirs = await place(customer2, { storeId: store2.storeId });

      // Those who may hear it do.
      await owner.waitFor((e) => e.orderId === mine.orderId && e.status === 'DELIVERED', 'the owner hears DELIVERED');
      await ownerNarrowed.waitFor((e) => e.status === 'DELIVERED', 'the owner, narrowed to the order, hears DELIVERED');
      await store.waitFor((e) => e.orderId === mine.orderId && e.status === 'DELIVERED', 'the store hears DELIVERED');
      await driver.waitFor((e) => e.orderId === mine.orderId && e.status === 'DELIVERED', 'the driver hears their delivery');
      await everything.waitFor((e) => e.orderId === theirs.orderId, "the operator hears customer2's order");
      await eventually(
        async () => (c2All.events().some((e) => e.orderId === theirs.orderId) ? true : undefined),
        'customer2 hears their own',
      );
      await eventually(async () => (s2All.events().some((e) => e.orderId === theirs.orderId) ? true : undefined), 'store2 hears its own');
      await eventually(
        async () => (d2All.events().some((e) => e.orderId === mine.orderId && e.status === 'ACCEPTED') ? true : undefined),
        'driver2 hears the order offered to drivers',
      );
      for (const socket of [c2, s2, d2]) await socket.flush();

      // Nobody else heard anything of it, whatever they asked for.
      expect(c2All.events().map((e) => e.orderId)).toEqual(c2All.events().map(() => theirs.orderId));
      expect(c2Mine.events()).toEqual([]);
      expect(c2Store.events()).toEqual([]);
      expect(s2All.events().map((e) => e.orderId)).toEqual(s2All.events().map(() => theirs.orderId));
      expect(s2Store1.events()).toEqual([]);
      // Another driver hears the offer, not the delivery that followed it.
      expect(d2All.events().map((e) => `${e.orderId} ${e.status}`)).toEqual(d2All.events().map(() => `${mine.orderId} ACCEPTED`));
      expect(owner.events.map((e) => e.orderId)).not.toContain(theirs.orderId);
      expect(store.events.map((e) => e.orderId)).not.toContain(theirs.orderId);
      expect(driver.events.map((e) => e.orderId)).not.toContain(theirs.orderId);
    } finally {
      for (const sub of [owner, ownerNarrowed, store, driver, everything]) sub.unsubscribe();
      for (const socket of [c2, s2, d2]) await socket.close();
    }
  });

  it('refuses onOrderUpdated to the API key and the backend principal, and a connection without credentials (4401)', async () => {
    const keyed = await realtime({ 'x-api-key': h.stack.apiKey });
    expect(keyed.answer.type).toBe('connection_ack');
    const refused = await keyed.start({});
    expect(refused.frame).toMatchObject({ type: 'error', payload: { errors: [{ errorType: 'Unauthorized' }] } });
    expect(String(refused.frame.payload.errors[0].message)).toMatch(/^Not Authorized to access onOrderUpdated on type Subscription/);
    await keyed.close();

    // The backend's signed realtime connection (Amplify's IAM handshake: POST {} to /graphql/connect).
    const connectHeaders = await sigV4Headers(LOCAL_CREDENTIALS, '{}', '/graphql/connect');
    const signedSocket = await realtime(connectHeaders);
    expect(signedSocket.answer.type).toBe('connection_ack');
    const data = JSON.stringify({ query: ON_ORDER_UPDATED, variables: {} });
    const host = new URL(h.stack.graphqlUrl).host;
    const iamStart = await signedSocket.start({}, { ...(await sigV4Headers(LOCAL_CREDENTIALS, data)), host });
    // Authenticated (not UnauthorizedException), then refused by the field's auth mode.
    expect(iamStart.frame).toMatchObject({ type: 'error', payload: { errors: [{ errorType: 'Unauthorized' }] } });
    expect(String(iamStart.frame.payload.errors[0].message)).toMatch(/^Not Authorized to access onOrderUpdated on type Subscription/);
    await signedSocket.close();

    const anonymous = await realtime({});
    expect(anonymous.answer).toMatchObject({
      type: 'connection_error',
      payload: { errors: [{ errorType: 'UnauthorizedException', errorCode: 401 }] },
    });
    expect(await anonymous.client.closed).toBe(4401);
  });
});

// --- credentials that must not work -----------------------------------------------------------------

/** An RS256 JWT signed with a key of our own. */
function mintWithOwnKey(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(claims)}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), privateKey).toString('base64url')}`;
}

async function postWithToken(token: string): Promise<number> {
  const response = await fetch(h.stack.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query: MY_ORDERS }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('forged credentials', () => {
  it('refuses a wrong API key, and tampered, wrong-key and wrong-issuer tokens with 401, over HTTP and realtime', async () => {
    const { customer1 } = parties;
    for (const headers of [{}, { 'x-api-key': 'da2-wrong' }] as Record<string, string>[]) {
      const response = await fetch(h.stack.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: LIST_STORES }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('x-amzn-errortype')).toBe('UnauthorizedException');
      expect(await response.json()).toEqual({
        errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }],
      });
    }

    const token = customer1.token;
    const [header = '', payload = '', signature = ''] = token.split('.');
    const headerJson = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>;
    const widened = Buffer.from(JSON.stringify({ ...claimsOf(token), 'cognito:groups': ['operators'] })).toString('base64url');
    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');

    // A genuine token of another user pool (its own issuer and key), same pool id and client id.
    const otherPool = await startCognitoUserPool({
      region: h.stack.region,
      userPoolId: h.stack.userPool.userPoolId,
      clientId: h.stack.userPool.clientId,
    });
    let foreign: string;
    try {
      await otherPool.createUser({
        username: customer1.username,
        password: 'Other-Pool-1',
        groups: [],
        attributes: { email: customer1.username },
      });
      const response = await fetch(otherPool.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
        body: JSON.stringify({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: h.stack.userPool.clientId,
          AuthParameters: { USERNAME: customer1.username, PASSWORD: 'Other-Pool-1' },
        }),
      });
      const result = (await response.json()) as { AuthenticationResult?: { AccessToken?: string } };
      foreign = result.AuthenticationResult?.AccessToken ?? '';
    } finally {
      await otherPool.dispose();
    }
    expect(claimsOf(foreign).iss).not.toBe(h.stack.userPool.issuer);

    const forgedTokens = {
      'a widened payload under the original signature': `${header}.${widened}.${signature}`,
      'a flipped signature': `${header}.${payload}.${flipped}`,
      "the pool's key id, signed with another key": mintWithOwnKey(headerJson, { ...claimsOf(token), 'cognito:groups': ['operators'] }),
      'another pool (wrong issuer)': foreign,
    };
    expect(await postWithToken(token)).toBe(200);
    for (const [what, forgedToken] of Object.entries(forgedTokens)) {
      expect({ what, status: await postWithToken(forgedToken) }).toEqual({ what, status: 401 });
    }

    // Realtime: a forged token neither connects nor, on a genuine connection, starts a subscription.
    const forgedSocket = await realtime({ Authorization: forgedTokens['a widened payload under the original signature'] });
    expect(forgedSocket.answer).toMatchObject({ type: 'connection_error', payload: { errors: [{ errorType: 'UnauthorizedException' }] } });
    expect(await forgedSocket.client.closed).toBe(4401);
    const genuine = await realtime(tokenHeaders(customer1));
    const host = new URL(h.stack.graphqlUrl).host;
    for (const forgedToken of Object.values(forgedTokens)) {
      const start = await genuine.start({}, { Authorization: forgedToken, host });
      expect(start.frame).toMatchObject({ type: 'error', payload: { errors: [{ errorType: 'UnauthorizedException' }] } });
    }
    await genuine.close();
  });

  it('refuses an expired token with 401 (the clock moved past its exp)', async () => {
    const { customer2 } = parties;
    const exp = Number(claimsOf(customer2.token).exp);
    expect(await postWithToken(customer2.token)).toBe(200);
    // The pool signs tokens for an hour (Cognito's default). Rather than wait, move the clock the
    // server reads (the process's Date) past `exp`; timers and the pool's own clock are untouched.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime((exp + 60) * 1000);
      expect(await postWithToken(customer2.token)).toBe(401);
      const socket = await realtime(tokenHeaders(customer2));
      expect(socket.answer.type).toBe('connection_error');
      expect(await socket.client.closed).toBe(4401);
    } finally {
      vi.useRealTimers();
    }
    expect(h.logs.some((line) => line.includes('token has expired'))).toBe(true);
  });
});

// --- the backend principal ------------------------------------------------------------------------

describe('backend-only publishing', () => {
  it('takes publishOrderUpdate only from the granted principal: forged, unknown, tampered and ungranted signatures reach no subscriber', async () => {
    const { customer1, operator } = parties;
    const watcher = await realtime(tokenHeaders(operator));
    const watching = await watcher.start({});
    const order = await place(customer1);
    const eventsOfOrder = () => watching.events().filter((e) => e.orderId === order.orderId);
    await eventually(async () => (eventsOfOrder().length > 0 ? true : undefined), 'the PLACED event');
    const heard = eventsOfOrder().length;

    const FORGED_VERSION = order.version + 50;
    const body = JSON.stringify({
      query: PUBLISH_ORDER_UPDATE,
      variables: { order: JSON.stringify({ ...order, status: 'DELIVERED', version: FORGED_VERSION }) },
    });
    const post = async (headers: Record<string, string>, sent = body) => {
      const response = await fetch(h.stack.graphqlUrl, { method: 'POST', headers, body: sent });
      return { status: response.status, json: (await response.json()) as { errors?: { errorType?: string; message: string }[] } };
    };
    const wrongSecret = await post(await sigV4Headers({ accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: 'guessed' }, body));
    const unknownKey = await post(await sigV4Headers({ accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'its-own-secret' }, body));
    const tampered = await post(await sigV4Headers(LOCAL_CREDENTIALS, body), body.replace('DELIVERED', 'CANCELLED'));
    for (const refused of [wrongSecret, unknownKey, tampered]) {
      expect(refused.status).toBe(401);
      expect(refused.json.errors?.[0]?.errorType).toBe('UnauthorizedException');
    }
    const ungranted = await post(await sigV4Headers(UNGRANTED, body));
    expect(ungranted.status).toBe(200);
    expect(ungranted.json.errors?.[0]).toMatchObject({
      errorType: 'Unauthorized',
      message: expect.stringMatching(/^Not Authorized to access publishOrderUpdate/),
    });

    // The granted principal (the stream publisher's credentials) is heard, and nothing before it was.
    const genuine = JSON.stringify({ query: PUBLISH_ORDER_UPDATE, variables: { order: JSON.stringify(order) } });
    const granted = await post(await sigV4Headers(LOCAL_CREDENTIALS, genuine), genuine);
    expect(granted.status).toBe(200);
    expect(granted.json.errors).toBeUndefined();
    await eventually(async () => (eventsOfOrder().length > heard ? true : undefined), 'the granted publish');
    expect(eventsOfOrder().map((e) => e.version)).not.toContain(FORGED_VERSION);
    expect(eventsOfOrder().map((e) => e.status)).not.toContain('DELIVERED');
    await watcher.close();
  });
});

// --- managing stores --------------------------------------------------------------------------------

describe('managing stores', () => {
  it('lets only an operator create, open or close a store or assign staff: everyone else is refused and nothing changes', async () => {
    const coordinates = { latitude: 51.05, longitude: -114.07 };
    // A store of this test's own (the seed store is never closed: the other tests order from it).
    const storeId = `auth-${Date.now().toString(36)}`;
    await gql(parties.operator, CreateStoreDocument, { input: { storeId, name: 'Authorization Pies', coordinates } });
    const pool = userPoolAdmin({
      userPoolId: h.stack.userPool.userPoolId,
      region: h.stack.region,
      endpoint: h.stack.userPool.endpoint,
      credentials: LOCAL_CREDENTIALS,
    });
    const target = parties.customer2.username;
    /** What a store mutation could change: the Stores table, the queues, the target account's groups. */
    const storeState = async () => {
      const { Items = [] } = await h.dynamodb.send(new ScanCommand({ TableName: h.stack.tableName('Stores'), ConsistentRead: true }));
      const { QueueUrls = [] } = await h.sqs.send(new ListQueuesCommand({}));
      return {
        stores: Items.map((item) => unmarshall(item)).sort((a, b) => String(a.storeId).localeCompare(String(b.storeId))),
        queues: [...QueueUrls].sort(),
        groups: await pool.groupsOf(target),
      };
    };
    const before = await storeState();
    expect(before.stores.find((st) => st.storeId === storeId)).toMatchObject({ open: true });

    const callers: Record<string, Caller> = {
      ...Object.fromEntries((['customer1', 'store1', 'driver1'] as const).map((name) => [name, amplifyCaller(parties[name])])),
      'api key': amplifyCaller(apiKeyClient()),
      iam: backend(),
      none: noCredentials(),
    };
    const attempts: Record<string, { query: string; variables: Record<string, unknown> }> = {
      createStore: { query: CreateStoreDocument, variables: { input: { storeId: `${storeId}-x`, name: 'Not Mine', coordinates } } },
      'createStore(no id)': { query: CreateStoreDocument, variables: { input: { name: 'Not Mine', coordinates } } },
      'setStoreOpen(false)': { query: SetStoreOpenDocument, variables: { input: { storeId, open: false } } },
      'setStoreOpen(true)': { query: SetStoreOpenDocument, variables: { input: { storeId, open: true } } },
      assignStaff: { query: AssignStaffDocument, variables: { input: { storeId, username: target } } },
    };
    const outcomes: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const [op, { query, variables }] of Object.entries(attempts)) {
      for (const [name, caller] of Object.entries(callers)) {
        outcomes[`${op} by ${name}`] = outcome(await caller.run(query, variables));
        expected[`${op} by ${name}`] = name === 'none' ? '401' : 'Unauthorized';
      }
    }

    expect(outcomes).toEqual(expected);
    expect(await storeState()).toEqual(before);
  });
});
