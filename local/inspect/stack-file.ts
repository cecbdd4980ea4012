/**
 * Where a running `npm start` stack can be found by other processes (`npm run order`): a small
 * JSON file with its pid, its endpoints and the names of what the inspection reads. The backend
 * emulators listen on free ports chosen at each start, so nothing else could find them.
 *
 * A persistent stack writes it to `<data folder>/stack.json` (the folder it holds the lock on,
 * so one stack per file); an in-memory stack has no data folder and writes it to a temp folder of
 * its own, whose path the banner prints. The file is removed when the process exits; one left by
 * a killed stack names a pid that is no longer alive, and readers say so.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ORDER_WORKFLOW } from '../../infra/manifest.js';
import type { LocalStack } from '../stack.js';

export const STACK_FILE_NAME = 'stack.json';

/** `npm start`'s default data folder (local/stack.ts's default), relative to the repo root. */
export const DEFAULT_DATA_DIR = resolve(fileURLToPath(new URL('../..', import.meta.url)), '.local', 'data');

export interface StackFile {
  readonly pid: number;
  readonly startedAt: string;
  readonly region: string;
  readonly inMemory: boolean;
  readonly graphqlUrl: string;
  /** The backend emulators, by role (each on loopback). */
  readonly endpoints: {
    readonly dynamodb: string;
    readonly sfn: string;
    /** fauxqs serves SNS and SQS on one endpoint. */
    readonly sqs: string;
    readonly ssm: string;
    readonly userPool: string;
  };
  /** Physical names of the tables the inspection reads. */
  readonly tables: { readonly orders: string };
  /** ARN of the order workflow's state machine (its executions are named by order id). */
  readonly orderWorkflowArn: string;
}

/** What a started stack writes about itself. */
export function stackFileFor(stack: LocalStack, inMemory: boolean, pid: number = process.pid): StackFile {
  return {
    pid,
    startedAt: new Date().toISOString(),
    region: stack.region,
    inMemory,
    graphqlUrl: stack.graphqlUrl,
    endpoints: {
      dynamodb: stack.endpoints.dynamodb,
      sfn: stack.endpoints.sfn,
      sqs: stack.endpoints.sqs,
      ssm: stack.endpoints.ssm,
      userPool: stack.userPool.endpoint,
    },
    tables: { orders: stack.tableName('Orders') },
    orderWorkflowArn: stack.stateMachineArn(ORDER_WORKFLOW),
  };
}

/**
 * Writes the stack file of a started `npm start` stack where `npm run order` looks for it, and
 * returns the command that inspects an order of this stack. `dataDir` is the option or env value
 * as given (undefined: the default folder).
 */
export async function publishStackFile(
  stack: LocalStack,
  options: { readonly inMemory: boolean; readonly dataDir: string | undefined },
): Promise<{ readonly file: string; readonly inspectCommand: string }> {
  const content = stackFileFor(stack, options.inMemory);
  if (options.inMemory) {
    const file = await writeStackFile(inMemoryStackFile(), content);
    return { file, inspectCommand: `npm run order -- <orderId> --stack ${file}` };
  }
  const file = await writeStackFile(stackFileIn(options.dataDir), content);
  const where = options.dataDir === undefined ? '' : ` --data-dir ${resolve(options.dataDir)}`;
  return { file, inspectCommand: `npm run order -- <orderId>${where}` };
}

/** No stack file where one was looked for, or the stack that wrote it is gone. */
export class StackNotRunningError extends Error {
  override readonly name = 'StackNotRunningError';
}

/** The stack file of `dataDir` (the data folder as `npm start` resolves it: option, env, default). */
export function stackFileIn(dataDir: string = DEFAULT_DATA_DIR): string {
  return join(resolve(dataDir), STACK_FILE_NAME);
}

/**
 * Writes `content` to `file` (whole, by rename) and removes the file when this process exits
 * (normally or through `process.exit`). Returns the file's path.
 */
export async function writeStackFile(file: string, content: StackFile): Promise<string> {
  await mkdir(resolve(file, '..'), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(content, null, 2)}\n`);
  await rename(temp, file);
  process.once('exit', () => rmSync(file, { force: true }));
  return file;
}

/** A fresh temp folder for an in-memory stack's file; removed with the file at exit. */
export function inMemoryStackFile(): string {
  const dir = join(tmpdir(), `serverless-pizza-stack-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return join(dir, STACK_FILE_NAME);
}

/**
 * Reads and checks a stack file; {@link StackNotRunningError} when it is absent or its process
 * is gone. `isAlive` is injectable for tests.
 */
export async function readStackFile(file: string, isAlive: (pid: number) => boolean = processIsAlive): Promise<StackFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      throw new StackNotRunningError(
        `no local stack is running for ${resolve(file, '..')} (${file} does not exist). Start one with \`npm start\`; ` +
          'for another data folder pass --data-dir, for an --in-memory stack the --stack file its banner names.',
      );
    }
    throw error;
  }
  const content = parseStackFile(JSON.parse(text) as unknown, file);
  if (!isAlive(content.pid)) {
    throw new StackNotRunningError(
      `the local stack that wrote ${file} (pid ${content.pid}) is no longer running. Start it with \`npm start\`.`,
    );
  }
  return content;
}

/** Validates a parsed stack file (written by this module, but maybe by another version of it). */
export function parseStackFile(raw: unknown, file: string): StackFile {
  const bad = (what: string) => new Error(`${file} is not a stack file this version understands (${what}); restart the stack`);
  if (!isRecord(raw)) throw bad('not an object');
  const { pid, startedAt, region, inMemory, graphqlUrl, endpoints, tables, orderWorkflowArn } = raw;
  if (typeof pid !== 'number' || !Number.isInteger(pid)) throw bad('pid');
  if (typeof startedAt !== 'string' || typeof region !== 'string' || typeof graphqlUrl !== 'string')
    throw bad('startedAt, region or graphqlUrl');
  if (typeof inMemory !== 'boolean') throw bad('inMemory');
  if (typeof orderWorkflowArn !== 'string') throw bad('orderWorkflowArn');
  if (!isRecord(endpoints)) throw bad('endpoints');
  const endpoint = (name: string): string => {
    const value = endpoints[name];
    if (typeof value !== 'string') throw bad(`endpoints.${name}`);
    return value;
  };
  if (!isRecord(tables) || typeof tables.orders !== 'string') throw bad('tables.orders');
  return {
    pid,
    startedAt,
    region,
    inMemory,
    graphqlUrl,
    endpoints: {
      dynamodb: endpoint('dynamodb'),
      sfn: endpoint('sfn'),
      sqs: endpoint('sqs'),
      ssm: endpoint('ssm'),
      userPool: endpoint('userPool'),
    },
    tables: { orders: tables.orders },
    orderWorkflowArn,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}
