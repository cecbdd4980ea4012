/**
 * The bench's side of bench/stack-process.ts: forks the stack into its own process and gives the
 * load generator the integration harness's shape (signed-in parties, SDK clients behind the API),
 * with the stack reached over loopback only, as any client reaches it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Amplify } from 'aws-amplify';
import type { LocalStack } from '../local/stack.js';
import { LOCAL_CREDENTIALS } from '../local/util/aws.js';
import { apiKeyClient, signInParty, type Harness, type Party, type PartyName } from '../test/integration/harness.js';
import type { StackAnswer, StackInfo, StackRequest } from './stack-process.js';

export interface RemoteHarness extends Harness {
  /** The stack process's id (DynamoDB Local's JVM is its child). */
  readonly pid: number;
  /** `startLocalStack` until it resolved, in the stack process, in ms. */
  readonly readyMs: number;
  /** The stack process's memory after two full GCs there. */
  memory(): Promise<NodeJS.MemoryUsage>;
}

export interface RemoteStackOptions {
  /** Extra node flags for the stack process (e.g. `--cpu-prof`). */
  readonly execArgv?: readonly string[];
}

/**
 * The V8 flags `npm start` gives the stack (package.json's start script), so the bench measures
 * the stack as users run it. The heap limit matters most: without one V8 sizes the old generation
 * from the machine's memory (a quarter of it) and postpones full collections, and the stack's RSS
 * grew by ~130 MiB per 600 lifecycles of garbage it had not yet collected (README "Measured").
 */
export function startScriptV8Flags(): string[] {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as {
    scripts: { start: string };
  };
  return pkg.scripts.start.split(/\s+/).filter((arg) => /^--max-[a-z-]+-size=\d+$/.test(arg));
}

/** One stack process, asked one thing at a time. */
class StackProcess {
  private readonly child: ChildProcess;
  private pending: { resolve: (a: StackAnswer) => void; reject: (e: Error) => void } | undefined;
  private exited: Error | undefined;

  constructor(options: RemoteStackOptions) {
    this.child = fork(fileURLToPath(new URL('./stack-process.ts', import.meta.url)), [], {
      execArgv: [...startScriptV8Flags(), '--import', 'tsx', '--disable-warning=ExperimentalWarning', ...(options.execArgv ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (answer: StackAnswer) => {
      const pending = this.pending;
      this.pending = undefined;
      pending?.resolve(answer);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = new Error(`the stack process exited (${signal ?? `code ${code}`})`);
      this.pending?.reject(this.exited);
      this.pending = undefined;
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  async ask<T extends StackAnswer['type']>(request: StackRequest, expect: T): Promise<Extract<StackAnswer, { type: T }>> {
    if (this.exited) throw this.exited;
    if (this.pending) throw new Error('one request at a time');
    const answer = await new Promise<StackAnswer>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.child.send(request);
    });
    if (answer.type === 'error') throw new Error(`stack process: ${answer.message}`);
    if (answer.type !== expect) throw new Error(`stack process answered ${answer.type} to ${request.type}`);
    return answer as Extract<StackAnswer, { type: T }>;
  }

  /** Resolves once the process has exited. */
  async exit(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    await done;
  }
}

function remoteStack(info: StackInfo, process: StackProcess, stop: () => Promise<void>): LocalStack {
  const lookup = (map: Readonly<Record<string, string>>, what: string) => (logical: string) => {
    const value = map[logical];
    if (value === undefined) throw new Error(`unknown ${what} ${logical}`);
    return value;
  };
  return {
    graphqlUrl: info.graphqlUrl,
    realtimeUrl: info.realtimeUrl,
    explorerUrl: info.explorerUrl,
    apiKey: info.apiKey,
    region: info.region,
    amplifyConfig: info.amplifyConfig,
    userPool: info.userPool,
    demoUsers: info.demoUsers,
    demoOperators: info.demoOperators,
    endpoints: info.endpoints,
    tableName: lookup(info.tables, 'table'),
    queueUrl: lookup(info.queues, 'queue'),
    dlqUrl: lookup(info.dlqs, 'queue'),
    stateMachineArn: lookup(info.stateMachines, 'state machine'),
    drainStreams: async () => {
      await process.ask({ type: 'drainStreams' }, 'drained');
    },
    stop,
  };
}

/**
 * Starts the stack in a new process `starts` times (each start but the last stopped again) and
 * returns a harness on the last; `readyTimes` are the starts' `startLocalStack` durations.
 */
export async function startRemoteHarness(
  starts: number,
  options: RemoteStackOptions = {},
): Promise<{ h: RemoteHarness; readyTimes: number[] }> {
  const child = new StackProcess(options);
  const readyTimes: number[] = [];
  try {
    let started = await child.ask({ type: 'start' }, 'started');
    readyTimes.push(started.readyMs);
    for (let i = 1; i < starts; i++) {
      started = await child.ask({ type: 'restart' }, 'started');
      readyTimes.push(started.readyMs);
    }
    const info = started.stack;
    Amplify.configure(info.amplifyConfig);
    const clientConfig = { region: info.region, credentials: LOCAL_CREDENTIALS };
    const sqs = new SQSClient({ endpoint: info.endpoints.sqs, ...clientConfig });
    const sfn = new SFNClient({ endpoint: info.endpoints.sfn, ...clientConfig });
    const dynamodb = new DynamoDBClient({ endpoint: info.endpoints.dynamodb, ...clientConfig });
    const stop = async () => {
      sqs.destroy();
      sfn.destroy();
      dynamodb.destroy();
      await child.ask({ type: 'stop' }, 'stopped');
      await child.exit();
    };
    const parties = new Map<PartyName, Promise<Party>>();
    const h: RemoteHarness = {
      pid: child.pid,
      readyMs: started.readyMs,
      stack: remoteStack(info, child, stop),
      apiKey: apiKeyClient(),
      party(name) {
        let party = parties.get(name);
        if (party === undefined) {
          party = signInParty([...info.demoUsers, ...info.demoOperators], name);
          parties.set(name, party);
        }
        return party;
      },
      sqs,
      sfn,
      dynamodb,
      logs: [],
      memory: async () => (await child.ask({ type: 'memory' }, 'memory')).usage,
      stop,
    };
    return { h, readyTimes };
  } catch (error) {
    await child.exit();
    throw error;
  }
}
