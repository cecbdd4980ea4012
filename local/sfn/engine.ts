/**
 * The engine behind the API: loads the state machines, starts executions on
 * aws-local-stepfunctions, and answers the API's operations. Its parts, one job each:
 * - execution-store.ts: the executions' records, names, histories and summaries (plain data);
 * - execution-run.ts: the live side of a running execution (tasks, abort, `$$` values);
 * - history.ts: one execution's history events, in order;
 * - task-runner.ts: Task states (integration calls, callbacks, timeouts, heartbeats);
 * - task-tokens.ts: task tokens and the registry SendTask* look them up in.
 */
import { randomUUID } from 'node:crypto';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine, type RunOptions } from 'aws-local-stepfunctions';
import type { LoadedMachine } from './definition.js';
import { SfnApiError, TaskFailedError } from './errors.js';
import { ExecutionRun } from './execution-run.js';
import {
  ExecutionStore,
  isExecutionName,
  markClosed,
  type ClosingFields,
  type ExecutionDescription,
  type ExecutionState,
  type ExecutionStatus,
  type ExecutionSummary,
} from './execution-store.js';
import { ExecutionHistory } from './history.js';
import type { IntegrationDeps } from './integrations.js';
import { parseJson, toJson, type JsonObject } from './json.js';
import { TaskRunner, type RunningTask } from './task-runner.js';
import { TaskTokens } from './task-tokens.js';
import { delay } from './timers.js';

export { EXECUTION_STATUSES, type ExecutionDescription, type ExecutionStatus, type ExecutionSummary } from './execution-store.js';

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type LocalHandler = LocalHandlers[string];

export interface EngineOptions extends IntegrationDeps {
  readonly machines: readonly LoadedMachine[];
  readonly logger: (line: string) => void;
  /** Builds the library's own `States.Timeout` error, which `States.TaskFailed` does not match. */
  readonly timeoutError: () => Error;
  /** Closed executions kept (history, output, spent tokens), oldest forgotten first. @default 1000 */
  readonly maxClosedExecutions?: number | undefined;
}

interface MachineEntry {
  readonly arn: string;
  readonly loaded: LoadedMachine;
  readonly stateMachine: StateMachine;
  readonly creationDate: Date;
}

/** What StartExecution answers. */
export interface StartedExecution {
  readonly arn: string;
  readonly startDate: Date;
}

export class Engine {
  private readonly machines = new Map<string, MachineEntry>();
  private readonly store: ExecutionStore;
  private readonly tokens = new TaskTokens<RunningTask>();
  private readonly tasks: TaskRunner;
  /** Executions whose history is not final yet, by ARN. */
  private readonly runs = new Map<string, ExecutionRun>();
  private stopped = false;

  constructor(private readonly options: EngineOptions) {
    this.store = new ExecutionStore(options.maxClosedExecutions ?? 1000);
    this.tasks = new TaskRunner({ ...options, tokens: this.tokens, stopped: () => this.stopped });
    for (const loaded of options.machines) {
      const arn = this.stateMachineArn(loaded.name);
      if (this.machines.has(arn)) throw new Error(`State machine ${loaded.name} is defined twice`);
      // Already validated by loadDefinition (against the original, not the rewritten, definition).
      const stateMachine = new StateMachine(loaded.runnable, { validationOptions: { noValidate: true } });
      this.machines.set(arn, { arn, loaded, stateMachine, creationDate: new Date() });
    }
  }

  stateMachineArn(name: string): string {
    return `arn:aws:states:${this.options.region}:${this.options.accountId}:stateMachine:${name}`;
  }

  listStateMachines(): { arn: string; name: string; creationDate: Date }[] {
    return [...this.machines.values()].map((m) => ({ arn: m.arn, name: m.loaded.name, creationDate: m.creationDate }));
  }

  describeStateMachine(arn: string): { arn: string; name: string; definition: string; creationDate: Date } {
    const m = this.machine(arn);
    return { arn: m.arn, name: m.loaded.name, definition: m.loaded.definitionText, creationDate: m.creationDate };
  }

  /**
   * Starts an execution. As on AWS Standard workflows: the same name and the same input while
   * the first execution is still RUNNING returns that execution; a different input, or any
   * input once that execution is closed, is ExecutionAlreadyExists.
   */
  startExecution(stateMachineArn: string, name: string | undefined, inputText: string | undefined): StartedExecution {
    if (this.stopped) throw new Error('the Step Functions endpoint is stopped');
    const machine = this.machine(stateMachineArn);
    const executionName = name ?? randomUUID();
    if (!isExecutionName(executionName)) throw new SfnApiError('InvalidName', `Invalid Name: '${executionName}'`);
    const text = inputText ?? '{}';
    const input = parseJson(text);
    if (input === undefined)
      throw new SfnApiError('InvalidExecutionInput', 'Invalid State Machine Execution Input: the input is not valid JSON');
    const canonicalInput = JSON.stringify(input);
    const existing = this.store.existing(machine.arn, executionName, canonicalInput);
    if (existing) return started(existing);

    const arn = `arn:aws:states:${this.options.region}:${this.options.accountId}:execution:${machine.loaded.name}:${executionName}`;
    const state: ExecutionState = {
      arn,
      name: executionName,
      stateMachineArn: machine.arn,
      stateMachineName: machine.loaded.name,
      input: text,
      canonicalInput,
      startDate: Date.now(),
      status: 'RUNNING',
      stopDate: undefined,
      output: undefined,
      error: undefined,
      cause: undefined,
      history: [],
      spentTokens: [],
    };
    this.store.add(state);
    const exec = new ExecutionRun(state, new ExecutionHistory(state, this.roleArn()));
    this.runs.set(arn, exec);

    const handlers: LocalHandlers = {};
    for (const spec of machine.loaded.tasks.values()) {
      const handler: LocalHandler = (taskInput) => {
        // Synchronous on purpose: claims the token minted while this state's Parameters were evaluated.
        const token = exec.claimToken();
        const seq = ++exec.handlerCalls;
        return this.tasks.run(exec, spec, toJson(taskInput), token, seq);
      };
      handlers[spec.stateName] = handler;
    }
    const context = {
      Execution: {
        Id: arn,
        Name: executionName,
        RoleArn: this.roleArn(),
        StartTime: new Date(state.startDate).toISOString(),
        RedriveCount: 0,
      },
      StateMachine: { Id: machine.arn, Name: machine.loaded.name },
      Task: {
        get Token(): string {
          return exec.currentToken();
        },
      },
      State: {
        get EnteredTime(): string {
          return exec.currentEnteredTime();
        },
      },
    };
    const run = machine.stateMachine.run(input, { overrides: { taskResourceLocalHandlers: handlers }, context });
    exec.abort = run.abort;
    exec.consumerDone = exec.history.consume(run.eventLogs);
    run.result.then(
      (output) => this.close(exec, 'SUCCEEDED', { output: JSON.stringify(output) }),
      (error: unknown) => this.close(exec, ...closingFor(error)),
    );
    this.options.logger(`[sfn] ${machine.loaded.name}: execution ${executionName} started`);
    return started(state);
  }

  describeExecution(executionArn: string): ExecutionDescription {
    return this.store.describe(executionArn);
  }

  listExecutions(stateMachineArn: string, status: ExecutionStatus | undefined): ExecutionSummary[] {
    const machine = this.machine(stateMachineArn);
    return this.store.list(machine.arn, status);
  }

  /** Returns once the history is final (for a closed execution) or as it stands (running). */
  async history(executionArn: string): Promise<readonly JsonObject[]> {
    const state = this.store.get(executionArn);
    if (state.status !== 'RUNNING') await this.runs.get(executionArn)?.finalized;
    return state.history;
  }

  /** Stops a running execution; its pending task tokens stop being valid. Closed executions are left as they are. */
  stopExecution(executionArn: string, error: string | undefined, cause: string | undefined): Date {
    const state = this.store.get(executionArn);
    const exec = this.runs.get(executionArn);
    if (exec && markClosed(state, 'ABORTED', { error, cause })) {
      this.tasks.abandon(exec);
      exec.abort?.();
      this.options.logger(`[sfn] ${state.stateMachineName}: execution ${state.name} stopped`);
    }
    return new Date(state.stopDate ?? Date.now());
  }

  sendTaskSuccess(token: unknown, outputText: unknown): void {
    const task = this.tokens.lookup(token);
    if (typeof outputText !== 'string')
      throw new SfnApiError(
        'ValidationException',
        "1 validation error detected: Value null at 'output' failed to satisfy constraint: Member must not be null",
      );
    const output = parseJson(outputText);
    if (output === undefined) throw new SfnApiError('InvalidOutput', 'Invalid Output: the output is not valid JSON');
    this.tasks.succeed(task, output);
  }

  /** Fails the waiting task with `error` as its ASL error name, so the state's Retry/Catch apply. */
  sendTaskFailure(token: unknown, error: string | undefined, cause: string | undefined): void {
    const task = this.tokens.lookup(token);
    this.tasks.fail(task, new TaskFailedError(error ?? '', cause ?? ''));
  }

  sendTaskHeartbeat(token: unknown): void {
    this.tasks.heartbeat(this.tokens.lookup(token));
  }

  /**
   * Resolves when every running execution is parked on a task token with no integration call
   * under way (or there is none running). Polls; an execution in a Wait state or a Retry pause
   * counts as busy until it moves on.
   */
  async waitForIdle(): Promise<void> {
    while (!this.stopped && !this.isIdle()) await delay(5);
  }

  /** Aborts every running execution, clears every task timer, and waits for their histories to close. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const exec of this.runs.values()) {
      if (!markClosed(exec.state, 'ABORTED', { cause: 'The Step Functions endpoint was stopped' })) continue;
      this.tasks.abandon(exec);
      exec.abort?.();
    }
    await Promise.all([...this.runs.values()].map((e) => e.finalized));
  }

  /** The (fictional) role executions run as, as shown in DescribeStateMachine and history. */
  roleArn(): string {
    return `arn:aws:iam::${this.options.accountId}:role/local-stepfunctions`;
  }

  private isIdle(): boolean {
    for (const exec of this.runs.values()) {
      if (exec.state.status !== 'RUNNING') continue;
      if (exec.inFlight > 0 || exec.tasks.size === 0) return false;
      for (const task of exec.tasks) if (task.token === undefined) return false;
    }
    return true;
  }

  private machine(arn: string): MachineEntry {
    if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/.test(arn))
      throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    const machine = this.machines.get(arn);
    if (!machine) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private async close(exec: ExecutionRun, status: ExecutionStatus, fields: ClosingFields): Promise<void> {
    const { state } = exec;
    if (markClosed(state, status, fields)) {
      this.options.logger(`[sfn] ${state.stateMachineName}: execution ${state.name} ${status}${fields.error ? ` (${fields.error})` : ''}`);
    }
    this.tasks.abandon(exec);
    exec.abort = undefined;
    await exec.consumerDone;
    exec.history.close();
    exec.resolveFinalized();
    this.runs.delete(state.arn);
    this.tokens.release(this.store.retire(state));
  }
}

function started(state: { readonly arn: string; readonly startDate: number }): StartedExecution {
  return { arn: state.arn, startDate: new Date(state.startDate) };
}

function closingFor(error: unknown): [ExecutionStatus, ClosingFields] {
  if (error instanceof ExecutionAbortedError) return ['ABORTED', {}];
  if (error instanceof ExecutionTimeoutError)
    return ['TIMED_OUT', { error: 'States.Timeout', cause: 'The execution timed out (TimeoutSeconds)' }];
  const failure = error instanceof ExecutionError ? error.cause : error;
  if (failure instanceof TaskFailedError) return ['FAILED', { error: failure.error, cause: failure.errorCause }];
  if (failure instanceof Error) return ['FAILED', { error: failure.name, cause: failure.message }];
  return ['FAILED', { error: 'States.Runtime', cause: String(failure) }];
}
