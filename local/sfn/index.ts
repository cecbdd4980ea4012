/**
 * A Step Functions-compatible endpoint for the local stack: point `@aws-sdk/client-sfn` at `url`
 * (`AWS_ENDPOINT_URL_SFN`). State machines come from the options (no CreateStateMachine);
 * executions run on aws-local-stepfunctions with this module's service integrations.
 * See README.md for what is and is not supported.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { createOperations } from './api.js';
import { loadDefinition } from './definition.js';
import { Engine } from './engine.js';
import { ExecutionFiles } from './persistence.js';
import { startJsonServer } from './server.js';
import { TokenBucket, type TokenBucketRate } from './throttle.js';

export { DefinitionError, SfnApiError, TaskFailedError } from './errors.js';
export { PersistedExecutionError } from './persistence.js';
export { AWS_START_EXECUTION_RATE, type TokenBucketRate } from './throttle.js';

export interface StepFunctionsEndpointOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  readonly region: string;
  readonly accountId: string;
  /** ASL JSON with every `${Placeholder}` already substituted. Validated at start. */
  readonly stateMachines: readonly { readonly name: string; readonly definition: string }[];
  /** Rejects with an Error whose `name` is the Lambda errorType (e.g. `OrderNotFound`, `Lambda.ServiceException`). */
  readonly invokeLambda: (functionArn: string, payload: unknown) => Promise<unknown>;
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  readonly logger?: (line: string) => void;
  /**
   * Closed executions remembered for DescribeExecution/GetExecutionHistory and spent-token
   * answers; older ones are forgotten (their names stay taken). @default 1000
   */
  readonly maxClosedExecutions?: number;
  /**
   * A folder where executions are kept across restarts and kills (created if missing; one file
   * per execution, see persistence.ts). At start, every execution in it is read back: closed ones
   * for Describe/List/History and their names; running ones continue at `resumeExecutions()`.
   * @default undefined (in memory only: nothing is written)
   */
  readonly persistDir?: string | undefined;
  /**
   * Throttle StartExecution with AWS's token bucket scheme at this rate (`ThrottlingException`
   * when the bucket is empty; AWS's own rate is `AWS_START_EXECUTION_RATE`).
   * @default undefined (never throttled)
   */
  readonly startExecutionRate?: TokenBucketRate | undefined;
}

export interface RunningStepFunctions {
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  stateMachineArn(name: string): string;
  /** Aborts running executions, clears their timers and closes the server. */
  stop(): Promise<void>;
  /** Resolves when every running execution waits on a task token with no call under way. */
  waitForIdle(): Promise<void>;
  /**
   * Continues the executions read back RUNNING from `persistDir`, each from the state it was in.
   * Call it once whatever the workflows call (Lambda handlers and their environment) is ready;
   * until then they are listed as RUNNING, their tokens are not accepted yet, and their deadlines
   * keep running (one that fell due fires at once on resume). A no-op without `persistDir`.
   */
  resumeExecutions(): void;
  /** Resolves once every change so far is written to `persistDir` (at once without it). */
  persisted(): Promise<void>;
}

/** Rejects with a DefinitionError naming the machine, state and feature when a definition cannot run here. */
export async function startStepFunctionsEndpoint(options: StepFunctionsEndpointOptions): Promise<RunningStepFunctions> {
  const logger = options.logger ?? (() => {});
  const machines = options.stateMachines.map((m) => loadDefinition(m.name, m.definition));
  const timeoutError = await libraryTimeoutError();
  const opened = options.persistDir === undefined ? undefined : await ExecutionFiles.open(options.persistDir, logger);
  const engine = new Engine({
    machines,
    logger,
    timeoutError,
    region: options.region,
    accountId: options.accountId,
    invokeLambda: options.invokeLambda,
    dynamodb: options.dynamodb,
    sns: options.sns,
    maxClosedExecutions: options.maxClosedExecutions,
    files: opened?.files,
  });
  if (opened) engine.restore(opened.executions, opened.forgotten);
  const server = await startJsonServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    operations: createOperations(engine, {
      startExecutionBucket: options.startExecutionRate === undefined ? undefined : new TokenBucket(options.startExecutionRate),
      onThrottled: (operation) => logger(`[sfn] ${operation} throttled (ThrottlingException)`),
    }),
    logger,
  });
  let stopping: Promise<void> | undefined;
  return {
    url: server.url,
    stateMachineArn: (name) => engine.stateMachineArn(name),
    waitForIdle: () => engine.waitForIdle(),
    resumeExecutions: () => engine.resumeExecutions(),
    persisted: () => engine.persisted(),
    stop: () => {
      stopping ??= (async () => {
        await engine.shutdown();
        await server.close();
      })();
      return stopping;
    },
  };
}

/**
 * aws-local-stepfunctions lets `States.TaskFailed` match every error except its own (unexported)
 * timeout class, as AWS excludes `States.Timeout`. Our timeouts must be that class, so we obtain
 * it once by letting the library time out a 1 ms task.
 */
async function libraryTimeoutError(): Promise<() => Error> {
  const probe = new StateMachine(
    {
      StartAt: 'Probe',
      States: {
        Probe: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:probe', TimeoutSeconds: 0.001, End: true },
      },
    },
    { validationOptions: { noValidate: true } },
  );
  const never = (): Promise<null> => new Promise<null>(() => {});
  const outcome = await probe.run({}, { overrides: { taskResourceLocalHandlers: { Probe: never } } }).result.then(
    () => undefined,
    (error: unknown) => error,
  );
  const cause = outcome instanceof ExecutionError ? outcome.cause : undefined;
  if (!(cause instanceof Error) || cause.name !== 'States.Timeout') {
    throw new Error(
      'aws-local-stepfunctions no longer reports task timeouts as expected; the local Step Functions endpoint needs updating',
    );
  }
  const TimeoutClass = cause.constructor;
  return () => {
    const error: unknown = Reflect.construct(TimeoutClass, []);
    if (!(error instanceof Error)) throw new Error('could not build a States.Timeout error');
    return error;
  };
}
