/**
 * The reads behind `npm run order`, against a running local stack found through its stack file:
 * the order from DynamoDB Local, its execution and history from the Step Functions endpoint
 * (execution name = order id), and the alerts naming it from fauxqs's non-destructive queue
 * inspection (`GET /_fauxqs/queues/<name>`: nothing is received, so no receive count moves and
 * nothing is dead-lettered by looking). Everything but the queue peek is the AWS API.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { BACKEND_ONLY_ORDER_FIELDS, PUBLIC_ORDER_FIELDS } from '../../domain/order.js';
import { LOCAL_CREDENTIALS } from '../util/aws.js';
import { StackNotRunningError, type StackFile } from './stack-file.js';
import { compactHistory, lastStateOf, positionOf, type Inspection, type QueuedAlert } from './report.js';

export class OrderNotFoundError extends Error {
  override readonly name = 'OrderNotFoundError';
  constructor(orderId: string, table: string) {
    super(`no order ${orderId} in ${table}. Order ids are UUIDs: the web demo shows each order's in its number's tooltip and URL.`);
  }
}

/** Fail fast: the stack is on loopback, so no answer within seconds means it is not there. */
const CLIENT_OPTIONS = {
  credentials: LOCAL_CREDENTIALS,
  maxAttempts: 1,
  requestHandler: { connectionTimeout: 2_000, requestTimeout: 10_000 },
};

export async function inspectOrder(stack: StackFile, orderId: string): Promise<Inspection> {
  const dynamodb = new DynamoDBClient({ ...CLIENT_OPTIONS, endpoint: stack.endpoints.dynamodb, region: stack.region });
  const sfn = new SFNClient({ ...CLIENT_OPTIONS, endpoint: stack.endpoints.sfn, region: stack.region });
  try {
    const item = await reach('DynamoDB Local', stack, () =>
      dynamodb.send(new GetItemCommand({ TableName: stack.tables.orders, Key: { orderId: { S: orderId } }, ConsistentRead: true })),
    );
    if (item.Item === undefined) throw new OrderNotFoundError(orderId, stack.tables.orders);
    const record = unmarshall(item.Item);
    const order: Record<string, unknown> = {};
    for (const field of PUBLIC_ORDER_FIELDS) order[field] = record[field] ?? null;
    const storedBackendFields = BACKEND_ONLY_ORDER_FIELDS.filter((f) => record[f] !== undefined);

    const executionArn = `${stack.orderWorkflowArn.replace(':stateMachine:', ':execution:')}:${orderId}`;
    const [workflow, alerts] = await Promise.all([workflowOf(sfn, stack, executionArn), alertsFor(stack, orderId)]);
    return { orderId, order: { order, storedBackendFields }, workflow, alerts };
  } finally {
    dynamodb.destroy();
    sfn.destroy();
  }
}

async function workflowOf(sfn: SFNClient, stack: StackFile, executionArn: string): Promise<Inspection['workflow']> {
  let described;
  try {
    described = await reach('Step Functions', stack, () => sfn.send(new DescribeExecutionCommand({ executionArn })));
  } catch (error) {
    if (error instanceof Error && error.name === 'ExecutionDoesNotExist') return null;
    throw error;
  }
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await reach('Step Functions', stack, () =>
      sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken, includeExecutionData: true })),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  const running = described.status === 'RUNNING';
  return {
    execution: {
      executionArn,
      status: described.status ?? 'UNKNOWN',
      startDate: (described.startDate ?? new Date(0)).toISOString(),
      stopDate: described.stopDate?.toISOString() ?? null,
      error: described.error ?? null,
      cause: described.cause ?? null,
    },
    position: running ? positionOf(events) : null,
    lastState: lastStateOf(events),
    history: compactHistory(events),
  };
}

/** Every message in any queue (DLQs included) whose JSON body names the order. */
export async function alertsFor(stack: StackFile, orderId: string): Promise<QueuedAlert[]> {
  const base = stack.endpoints.sqs;
  const list = await reach('SNS/SQS (fauxqs)', stack, () => getJson(`${base}/_fauxqs/queues`));
  const names = Array.isArray(list) ? list.flatMap((q: unknown) => (isRecord(q) && typeof q.name === 'string' ? [q.name] : [])) : [];
  const alerts: QueuedAlert[] = [];
  for (const name of names.sort()) {
    // fauxqs 2.4's inspectQueue: { name, messages: { ready: [message], delayed: [message], inflight: [{ message, … }] } }.
    const queue = await getJson(`${base}/_fauxqs/queues/${encodeURIComponent(name)}`);
    const messages = isRecord(queue) && isRecord(queue.messages) ? queue.messages : {};
    const listed = (key: string): readonly unknown[] => {
      const value = messages[key];
      return Array.isArray(value) ? value : [];
    };
    const groups = [
      ['ready', listed('ready')],
      ['delayed', listed('delayed')],
      ['in flight', listed('inflight')],
    ] as const;
    for (const [state, messages] of groups) {
      for (const entry of messages) {
        // In-flight entries wrap the message: { message, receiptHandle, visibilityDeadline }.
        const message = state === 'in flight' && isRecord(entry) && isRecord(entry.message) ? entry.message : entry;
        if (!isRecord(message) || typeof message.body !== 'string') continue;
        const body = parseJson(message.body);
        if (!isRecord(body) || body.orderId !== orderId) continue;
        alerts.push({
          queue: name,
          state,
          deadLettered: name.endsWith('-dlq'),
          sentAt: new Date(typeof message.sentTimestamp === 'number' ? message.sentTimestamp : 0).toISOString(),
          receiveCount: typeof message.approximateReceiveCount === 'number' ? message.approximateReceiveCount : 0,
          type: typeof body.type === 'string' ? body.type : '(no type)',
          body,
        });
      }
    }
  }
  return alerts.sort((a, b) => (a.sentAt < b.sentAt ? -1 : a.sentAt > b.sentAt ? 1 : 0));
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as unknown;
}

/** Runs `call`; a refused or unanswered connection becomes {@link StackNotRunningError} naming the part. */
async function reach<T>(part: string, stack: StackFile, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isUnreachable(error)) {
      throw new StackNotRunningError(
        `the local stack (pid ${stack.pid}, started ${stack.startedAt}) does not answer: ${part} is not reachable. Is it still running? Start it with \`npm start\`.`,
      );
    }
    throw error;
  }
}

function isUnreachable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = 'code' in e ? e.code : undefined;
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'UND_ERR_CONNECT_TIMEOUT') return true;
    if (e.name === 'TimeoutError' || /ECONNREFUSED|socket hang up/.test(e.message)) return true;
  }
  return false;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
