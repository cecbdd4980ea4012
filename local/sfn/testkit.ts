/**
 * Test kit for the local Step Functions endpoint: starts it on port 0 with given definitions,
 * a scripted Lambda and stub DynamoDB/SNS clients (their `send` is replaced, so nothing leaves
 * the process), and returns a real SFNClient pointed at it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../util/aws.js';
import { waitFor } from '../util/wait.js';
import { startStepFunctionsEndpoint, type RunningStepFunctions, type TokenBucketRate } from './index.js';

export const REGION = LOCAL_REGION;
export const ACCOUNT = '123456789012';
const credentials = LOCAL_CREDENTIALS;

export type SendStub = (command: unknown) => Promise<unknown>;

export interface Kit {
  readonly endpoint: RunningStepFunctions;
  readonly sfn: SFNClient;
  readonly lambdaCalls: { functionArn: string; payload: unknown }[];
  arn(machine: string): string;
  stop(): Promise<void>;
}

export function functionArn(name: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
}

export async function startKit(options: {
  machines: Record<string, object>;
  lambda?: (functionArn: string, payload: unknown) => Promise<unknown>;
  dynamodbSend?: SendStub;
  snsSend?: SendStub;
  maxClosedExecutions?: number;
  startExecutionRate?: TokenBucketRate;
}): Promise<Kit> {
  const lambdaCalls: { functionArn: string; payload: unknown }[] = [];
  const dynamodb = new DynamoDBClient({ region: REGION, credentials, endpoint: 'http://127.0.0.1:9' });
  const sns = new SNSClient({ region: REGION, credentials, endpoint: 'http://127.0.0.1:9' });
  const dynamodbSend = options.dynamodbSend;
  const snsSend = options.snsSend;
  if (dynamodbSend) Object.defineProperty(dynamodb, 'send', { value: (command: unknown) => dynamodbSend(command) });
  if (snsSend) Object.defineProperty(sns, 'send', { value: (command: unknown) => snsSend(command) });
  const lambda = options.lambda ?? (async () => ({}));
  const endpoint = await startStepFunctionsEndpoint({
    region: REGION,
    accountId: ACCOUNT,
    stateMachines: Object.entries(options.machines).map(([name, definition]) => ({ name, definition: JSON.stringify(definition) })),
    invokeLambda: async (arn, payload) => {
      lambdaCalls.push({ functionArn: arn, payload });
      return lambda(arn, payload);
    },
    dynamodb,
    sns,
    ...(options.maxClosedExecutions === undefined ? {} : { maxClosedExecutions: options.maxClosedExecutions }),
    startExecutionRate: options.startExecutionRate,
  });
  const sfn = new SFNClient({ region: REGION, credentials, endpoint: endpoint.url });
  return {
    endpoint,
    sfn,
    lambdaCalls,
    arn: (machine) => endpoint.stateMachineArn(machine),
    stop: async () => {
      sfn.destroy();
      dynamodb.destroy();
      sns.destroy();
      await endpoint.stop();
    },
  };
}

/** Polls DescribeExecution until the execution is no longer RUNNING (the API offers no event to await). */
export function waitForEnd(sfn: SFNClient, executionArn: string): Promise<DescribeExecutionCommandOutput> {
  return waitFor(
    async () => {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return described.status !== 'RUNNING' && described;
    },
    { what: `execution ${executionArn} to end`, intervalMs: 20, timeoutMs: 25_000 },
  );
}

/** A promise with its resolver, for a Lambda stub to hand a task token to the test. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Reads `taskToken` from a Lambda payload built by the test definitions. */
export function tokenOf(payload: unknown): string {
  if (typeof payload === 'object' && payload !== null && 'taskToken' in payload && typeof payload.taskToken === 'string')
    return payload.taskToken;
  throw new Error(`no taskToken in ${JSON.stringify(payload)}`);
}

export function parseOutput(output: string | undefined): unknown {
  if (output === undefined) throw new Error('the execution has no output');
  const parsed: unknown = JSON.parse(output);
  return parsed;
}

/** Every Lambda call a persistent node saw, in order; `next()` waits for the next one not yet taken. */
export class LambdaCalls {
  readonly all: { functionArn: string; payload: unknown }[] = [];
  private waiters: ((payload: unknown) => void)[] = [];
  private seen = 0;

  record(arn: string, payload: unknown): void {
    this.all.push({ functionArn: arn, payload });
    this.waiters.shift()?.(payload);
  }

  /** The payload of the next call not yet taken (waits for it). */
  next(): Promise<unknown> {
    const index = this.seen++;
    const call = this.all[index];
    if (call) return Promise.resolve(call.payload);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

export interface PersistentNode {
  readonly endpoint: RunningStepFunctions;
  readonly sfn: SFNClient;
  readonly calls: LambdaCalls;
  arn(machine: string): string;
  stop(): Promise<void>;
}

/**
 * An endpoint on `persistDir` (as the local stack runs it) that records every Lambda call;
 * `lambda` answers each invoke after it is recorded. Stopping it leaves the folder as a restart
 * finds it.
 */
export async function startPersistentNode(
  persistDir: string,
  machines: Record<string, object>,
  lambda: (functionArn: string, payload: unknown) => Promise<unknown> = async () => ({}),
  maxClosedExecutions?: number,
): Promise<PersistentNode> {
  const calls = new LambdaCalls();
  const dynamodb = new DynamoDBClient({ region: REGION, credentials, endpoint: 'http://127.0.0.1:9' });
  const sns = new SNSClient({ region: REGION, credentials, endpoint: 'http://127.0.0.1:9' });
  const endpoint = await startStepFunctionsEndpoint({
    region: REGION,
    accountId: ACCOUNT,
    stateMachines: Object.entries(machines).map(([name, definition]) => ({ name, definition: JSON.stringify(definition) })),
    invokeLambda: async (arn, payload) => {
      calls.record(arn, payload);
      return lambda(arn, payload);
    },
    dynamodb,
    sns,
    persistDir,
    ...(maxClosedExecutions === undefined ? {} : { maxClosedExecutions }),
  });
  const sfn = new SFNClient({ region: REGION, credentials, endpoint: endpoint.url });
  let stopped: Promise<void> | undefined;
  const node: PersistentNode = {
    endpoint,
    sfn,
    calls,
    arn: (machine) => endpoint.stateMachineArn(machine),
    stop: () => {
      stopped ??= (async () => {
        sfn.destroy();
        dynamodb.destroy();
        sns.destroy();
        await endpoint.stop();
      })();
      return stopped;
    },
  };
  return node;
}
