/**
 * Integration harness: the real local stack (in memory, free ports), the real aws-amplify v6
 * client configured from the stack's own amplify-config, and SDK clients for looking behind
 * the API (queues, table, executions).
 */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import type { PlaceOrderInput } from '../../generated/graphql.js';
import { SEED_STORE_ID } from '../../infra/seed-stores.js';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/stack.js';
import { LOCAL_CREDENTIALS } from '../../local/util/aws.js';
import { waitFor } from '../../local/util/wait.js';
import { ON_ORDER_UPDATED } from './operations.js';

export interface Harness {
  readonly stack: LocalStack;
  /** Untyped on purpose: Amplify's model typing is for Gen 2 schemas, not plain documents. */
  readonly client: { graphql: unknown };
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
  return {
    stack,
    client: generateClient(),
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

/** A query or mutation through Amplify; resolves with `data` (Amplify rejects on GraphQL errors). */
export async function gql<T>(h: Harness, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await (h.client.graphql as RawGraphql)({ query, variables });
  if (typeof result !== 'object' || result === null || !('data' in result)) throw new Error('no data in GraphQL result');
  return result.data as T;
}

/** Amplify rejects with `{ data, errors }` on GraphQL errors; this returns the first errorType. */
export async function errorTypeOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'errors' in error && Array.isArray(error.errors)) {
      const first: unknown = error.errors[0];
      if (typeof first === 'object' && first !== null && 'errorType' in first) return String(first.errorType);
    }
    throw error;
  }
  return null;
}

export interface OrderEvent {
  orderId: string;
  storeId: string;
  status: string;
  version: number;
  cancellationReason: string | null;
  estimateSource: string | null;
  deliveryEstimatedAt: string | null;
  driverId: string | null;
}

/** A live onOrderUpdated subscription that records every event it receives. */
export async function subscribe(h: Harness, variables: { orderId?: string; storeId?: string }) {
  const events: OrderEvent[] = [];
  const errors: unknown[] = [];
  const observable = (h.client.graphql as (o: object) => unknown)({ query: ON_ORDER_UPDATED, variables }) as {
    subscribe(o: { next: (v: { data: { onOrderUpdated: OrderEvent } }) => void; error: (e: unknown) => void }): { unsubscribe(): void };
  };
  // Amplify has no callback for start_ack; its Hub announces it as "Subscription ack".
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
