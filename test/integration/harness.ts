/**
 * Integration harness: the real local stack (in memory, free ports), the real aws-amplify v6
 * client acting as each signed-in party (the stack's demo accounts), and SDK clients for looking
 * behind the API (queues, table, executions).
 */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import type { PlaceOrderInput } from '../../generated/graphql.js';
import { SEED_STORE_ID } from '../../infra/seed-stores.js';
import { startLocalStack, type DemoAccount, type LocalStack, type LocalStackOptions } from '../../local/stack.js';
import { LOCAL_CREDENTIALS } from '../../local/util/aws.js';
import { waitFor } from '../../local/util/wait.js';
import { ON_ORDER_UPDATED } from './operations.js';

/** The demo accounts by the part of their username before the `@` (local/stack.ts DEMO_USERS and DEMO_OPERATORS). */
export type PartyName = 'customer1' | 'customer2' | 'store1' | 'store2' | 'store3' | 'driver1' | 'driver2' | 'operator';

/** Something that sends GraphQL as one caller. `graphql` is untyped on purpose: Amplify's model typing is for Gen 2 schemas. */
export interface Client {
  readonly name: string;
  readonly graphql: unknown;
}

/** A demo account, signed in: its own Amplify client sends its access token. */
export interface Party extends Client {
  readonly name: PartyName;
  readonly username: string;
  readonly role: DemoAccount['role'];
  /** Staff only: the store they work for. */
  readonly storeId?: string;
  /** The user's id (the token's `sub`): the customerId of their orders, the driverId of their deliveries. */
  readonly sub: string;
  /** The access token the client sends as `Authorization: <token>`, as Amplify's userPool mode does. */
  readonly token: string;
}

export interface Harness {
  readonly stack: LocalStack;
  /** A caller that has not signed in: Amplify with the API key (which serves only listStores). */
  readonly apiKey: Client;
  /** The demo account `name`, signed in once per harness (later calls reuse its token). */
  party(name: PartyName): Promise<Party>;
  readonly sqs: SQSClient;
  readonly sfn: SFNClient;
  readonly dynamodb: DynamoDBClient;
  /** Every line the emulators and handlers logged (for the no-token-leak checks). */
  readonly logs: string[];
  stop(): Promise<void>;
}

export async function startHarness(options: LocalStackOptions = {}): Promise<Harness> {
  const logs: string[] = [];
  // Handlers log with console.*: keep their lines for the no-token-leak checks (and quiet).
  const original = { log: console.log, error: console.error };
  console.log = (...args: unknown[]) => void logs.push(args.map(String).join(' '));
  console.error = (...args: unknown[]) => void logs.push(args.map(String).join(' '));
  const stack = await startLocalStack({ inMemory: true, port: 0, logger: (line) => logs.push(line), ...options });
  Amplify.configure(stack.amplifyConfig);
  const credentials = LOCAL_CREDENTIALS;
  const sqs = new SQSClient({ endpoint: stack.endpoints.sqs, region: stack.region, credentials });
  const sfn = new SFNClient({ endpoint: stack.endpoints.sfn, region: stack.region, credentials });
  const dynamodb = new DynamoDBClient({ endpoint: stack.endpoints.dynamodb, region: stack.region, credentials });
  const parties = new Map<PartyName, Promise<Party>>();
  return {
    stack,
    apiKey: apiKeyClient(),
    party(name) {
      let party = parties.get(name);
      if (party === undefined) {
        party = signInParty([...stack.demoUsers, ...stack.demoOperators], name);
        parties.set(name, party);
      }
      return party;
    },
    sqs,
    sfn,
    dynamodb,
    logs,
    async stop() {
      sqs.destroy();
      sfn.destroy();
      dynamodb.destroy();
      await stack.stop();
      Object.assign(console, original);
    },
  };
}

/** Amplify with the API key of the current configuration (a visitor who has not signed in). */
export function apiKeyClient(): Client {
  const client = generateClient({ authMode: 'apiKey' });
  return { name: 'api key', graphql: client.graphql.bind(client) };
}

/** Amplify Auth is one process-wide session: sign-ins take turns. */
let signInTurn: Promise<unknown> = Promise.resolve();

/**
 * Signs the demo account `name` in through Amplify's default flow (SRP against the configured user
 * pool), keeps its access token and signs out again, so any number of parties can act in one
 * process. Their client uses authMode 'lambda' with that token: it sends `Authorization: <token>`
 * verbatim, on HTTP and on the realtime socket (connection and every start; aws-amplify's
 * graphqlAuth.mjs and AWSWebSocketProvider/authHeaders.mjs), which is exactly what userPool mode
 * sends, except that userPool mode reads the token of the one signed-in user. The server cannot
 * tell the two apart and verifies the token as a user-pool token.
 */
export function signInParty(users: readonly DemoAccount[], name: PartyName): Promise<Party> {
  const user = users.find((u) => u.username.split('@')[0] === name);
  if (user === undefined) throw new Error(`no demo account ${name} in ${users.map((u) => u.username).join(', ')}`);
  const turn = signInTurn.then(async (): Promise<Party> => {
    const result = await signIn({ username: user.username, password: user.password });
    if (!result.isSignedIn) throw new Error(`${user.username} is not signed in: next step ${result.nextStep.signInStep}`);
    try {
      const { tokens } = await fetchAuthSession();
      if (tokens === undefined) throw new Error(`no tokens for ${user.username}`);
      const token = tokens.accessToken.toString();
      const sub = tokens.accessToken.payload.sub;
      if (typeof sub !== 'string') throw new Error(`no sub in ${user.username}'s access token`);
      const client = generateClient({ authMode: 'lambda', authToken: token });
      return {
        name,
        username: user.username,
        role: user.role,
        ...(user.role === 'store' ? { storeId: user.storeId } : {}),
        sub,
        token,
        graphql: client.graphql.bind(client),
      };
    } finally {
      await signOut();
    }
  });
  signInTurn = turn.catch(() => undefined);
  return turn;
}

let keys = 0;
export function orderInput(patch: Partial<PlaceOrderInput> = {}): PlaceOrderInput {
  keys += 1;
  return {
    storeId: SEED_STORE_ID,
    paymentId: 'pay_test_1',
    pies: [{ size: 'LARGE', cheese: 'MEDIUM', toppings: ['PEPPERONI', 'MUSHROOM'] }],
    deliveryAddress: {
      coordinates: { latitude: 51.0447, longitude: -114.0719 },
      streetAddress: '100 8 Ave SW',
      city: 'Calgary',
      postalCode: 'T2P 1B3',
      province: 'AB',
    },
    idempotencyKey: `it-${process.pid}-${Date.now()}-${keys}`,
    ...patch,
  };
}

type RawGraphql = (options: { query: string; variables?: Record<string, unknown> }) => Promise<unknown>;

/** A query or mutation through `client`'s Amplify client; resolves with `data` (Amplify rejects on GraphQL errors). */
export async function gql<T>(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await (client.graphql as RawGraphql)({ query, variables });
  if (typeof result !== 'object' || result === null || !('data' in result)) throw new Error('no data in GraphQL result');
  return result.data as T;
}

/** The first GraphQL error Amplify rejected with, or null when `promise` resolved. Rethrows anything else. */
export async function refusalOf(promise: Promise<unknown>): Promise<{ errorType: string; message: string } | null> {
  try {
    await promise;
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'errors' in error && Array.isArray(error.errors)) {
      const first: unknown = error.errors[0];
      if (typeof first === 'object' && first !== null && 'errorType' in first && 'message' in first)
        return { errorType: String(first.errorType), message: String(first.message) };
    }
    throw error;
  }
  return null;
}

/** Amplify rejects with `{ data, errors }` on GraphQL errors; this returns the first errorType. */
export async function errorTypeOf(promise: Promise<unknown>): Promise<string | null> {
  return (await refusalOf(promise))?.errorType ?? null;
}

export interface OrderEvent {
  orderId: string;
  customerId: string;
  storeId: string;
  status: string;
  version: number;
  cancellationReason: string | null;
  estimateSource: string | null;
  deliveryEstimatedAt: string | null;
  driverId: string | null;
}

/** A live onOrderUpdated subscription through `client`'s Amplify client that records every event it receives. */
export async function subscribe(client: Client, variables: { orderId?: string; storeId?: string } = {}) {
  const events: OrderEvent[] = [];
  const errors: unknown[] = [];
  const observable = (client.graphql as (o: object) => unknown)({ query: ON_ORDER_UPDATED, variables }) as {
    subscribe(o: { next: (v: { data: { onOrderUpdated: OrderEvent } }) => void; error: (e: unknown) => void }): { unsubscribe(): void };
  };
  // Amplify has no callback for start_ack; its Hub announces it as "Subscription ack" (so
  // subscribe one at a time: the ack does not say which subscription it is for).
  const { Hub } = await import('aws-amplify/utils');
  const acked = new Promise<void>((resolve) => {
    const stop = Hub.listen('api', ({ payload }) => {
      if (payload.event !== 'Subscription ack') return;
      stop();
      resolve();
    });
  });
  let failed!: (error: unknown) => void;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  const subscription = observable.subscribe({
    next: ({ data }) => events.push(data.onOrderUpdated),
    error: (e) => {
      errors.push(e);
      failed(new Error(`subscription failed: ${JSON.stringify(e)}`));
    },
  });
  failure.catch(() => undefined); // errors after the ack are recorded in `errors`
  await Promise.race([acked, failure]);
  return {
    events,
    errors,
    unsubscribe: () => subscription.unsubscribe(),
    waitFor(predicate: (e: OrderEvent) => boolean, what: string, timeoutMs = 15_000): Promise<OrderEvent> {
      return waitFor(() => events.find(predicate) ?? false, {
        what: `subscription event: ${what} (got ${events.length} events, errors ${JSON.stringify(errors)})`,
        timeoutMs,
        intervalMs: 20,
      });
    },
  };
}

/** Polls `fn` until it returns a value that is not undefined. */
export function eventually<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  return waitFor(async () => (await fn()) ?? false, { what, timeoutMs }) as Promise<T>;
}

/** Receives (and deletes) messages from a queue until one matches. */
export async function receiveAlert(
  h: Harness,
  queue: string,
  orderId: string,
): Promise<{ body: string; attributes: Record<string, string> }> {
  const url = h.stack.queueUrl(queue);
  return eventually(async () => {
    const out = await h.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
    );
    for (const m of out.Messages ?? []) {
      await h.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
      if (m.Body?.includes(orderId)) {
        const attributes = Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']));
        return { body: m.Body, attributes };
      }
    }
    return undefined;
  }, `an alert for ${orderId} on ${queue}`);
}

export async function scanOrders(h: Harness): Promise<Record<string, unknown>[]> {
  const out = await h.dynamodb.send(new ScanCommand({ TableName: h.stack.tableName('Orders'), ConsistentRead: true }));
  return (out.Items ?? []).map((item) => unmarshall(item));
}

export async function executionStatus(h: Harness, orderId: string): Promise<string | undefined> {
  const arn = h.stack.stateMachineArn('OrderWorkflow').replace(':stateMachine:', ':execution:') + `:${orderId}`;
  const out = await h.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
  return out.status;
}

export async function executionsNamed(h: Harness, orderId: string): Promise<number> {
  const out = await h.sfn.send(new ListExecutionsCommand({ stateMachineArn: h.stack.stateMachineArn('OrderWorkflow') }));
  return (out.executions ?? []).filter((e) => e.name === orderId).length;
}
