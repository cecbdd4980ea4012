/**
 * The engine behind the API: loads the state machines, starts executions on
 * aws-local-stepfunctions, and answers the API's operations. Its parts, one job each:
 * - execution-store.ts: the executions' records, names, histories and summaries (plain data);
 * - execution-run.ts: the live side of a running execution (tasks, abort, `$$` values);
 * - history.ts: one execution's history events, in order;
 * - task-runner.ts: Task states (integration calls, callbacks, timeouts, heartbeats);
 * - task-tokens.ts: task tokens and the registry SendTask* look them up in;
 * - persistence.ts: the executions' files, when the endpoint has a folder to keep them in;
 * - resume.ts: the definition a running execution continues on after a restart.
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
import { ExecutionHistory, type ResumedView } from './history.js';
import type { IntegrationDeps } from './integrations.js';
import { isJsonObject, parseJson, toJson, type Json, type JsonObject } from './json.js';
import {
  DATA_LIMIT_EXCEEDED,
  MAX_CAUSE_LENGTH,
  MAX_ERROR_LENGTH,
  checkLength,
  checkPayload,
  isOverPayloadLimit,
  resultTooLargeCause,
} from './limits.js';
import type { ExecutionFiles, ForgottenExecution } from './persistence.js';
import { resumedDefinition, waitDeadline } from './resume.js';
import { TaskRunner, type RunningTask } from './task-runner.js';
import { TaskTokens } from './task-tokens.js';
import { waitFor } from '../util/wait.js';

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
  /** Where executions are kept across restarts; in memory only when absent. */
  readonly files?: ExecutionFiles | undefined;
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
  /** Executions read back RUNNING from disk, until resumeExecutions(). */
  private recovered: ExecutionState[] = [];
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
   * input once that execution is closed, is ExecutionAlreadyExists. With a folder, answers once
   * the execution (and so its name) is on disk.
   */
  async startExecution(stateMachineArn: string, name: string | undefined, inputText: string | undefined): Promise<StartedExecution> {
    if (this.stopped) throw new Error('the Step Functions endpoint is stopped');
    const machine = this.machine(stateMachineArn);
    const executionName = name ?? randomUUID();
    if (!isExecutionName(executionName)) throw new SfnApiError('InvalidName', `Invalid Name: '${executionName}'`);
    const text = inputText ?? '{}';
    checkPayload(text, 'InvalidExecutionInput', 'Invalid State Machine Execution Input: the input is too large');
    const input = parseJson(text);
    if (input === undefined)
      throw new SfnApiError('InvalidExecutionInput', 'Invalid State Machine Execution Input: the input is not valid JSON');
    const canonicalInput = JSON.stringify(input);
    const existing = this.store.existing(machine.arn, executionName, canonicalInput);
    if (existing) {
      await this.options.files?.saved(existing.arn);
      return started(existing);
    }

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
      position: undefined,
      task: undefined,
    };
    this.store.add(state);
    this.options.files?.save(state);
    this.launch(machine, state, machine.stateMachine, input, undefined);
    this.options.logger(`[sfn] ${machine.loaded.name}: execution ${executionName} started`);
    await this.options.files?.saved(arn);
    return started(state);
  }

  /**
   * Takes the executions read back from disk: closed ones are kept for Describe/List/History and
   * their spent tokens answer TaskTimedOut; running ones wait for resumeExecutions(); every name
   * stays reserved.
   */
  restore(executions: readonly ExecutionState[], forgotten: readonly ForgottenExecution[]): void {
    for (const f of forgotten) this.store.reserve(f.stateMachineArn, f.name, f.arn);
    const closed = executions.filter((e) => e.status !== 'RUNNING').sort((a, b) => (a.stopDate ?? 0) - (b.stopDate ?? 0));
    for (const state of closed) {
      this.store.add(state);
      for (const token of state.spentTokens) this.tokens.close(token);
      this.retire(state);
    }
    for (const state of executions) {
      if (state.status !== 'RUNNING') continue;
      this.store.add(state);
      for (const token of state.spentTokens) this.tokens.close(token);
      this.recovered.push(state);
    }
  }

  /**
   * Continues every execution read back RUNNING: its saved state is entered again with its
   * input (see resume.ts and TaskRunner.run). Called once whatever the workflows call is up.
   */
  resumeExecutions(): void {
    const recovered = this.recovered;
    this.recovered = [];
    for (const state of recovered) {
      if (state.status !== 'RUNNING' || this.stopped) continue;
      const machine = this.machines.get(state.stateMachineArn);
      if (!machine) {
        this.options.logger(`[sfn] execution ${state.arn}: its state machine is not defined any more; left RUNNING, not resumed`);
        continue;
      }
      const input = parseJson(state.input) ?? null;
      const position = state.position ?? {
        state: machine.loaded.runnable.StartAt,
        input,
        enteredAt: state.startDate,
        waitDeadline: undefined,
      };
      const resumed = resumedDefinition(machine.loaded.runnable, position, input, state.startDate, Date.now());
      const stateMachine = new StateMachine(resumed.definition, { validationOptions: { noValidate: true } });
      const exec = this.launch(machine, state, stateMachine, resumed.input, { names: resumed.names });
      exec.resumedTask = state.task?.stateName === position.state ? state.task : undefined;
      exec.resumedWait = position.waitDeadline === undefined ? undefined : position.state;
      this.options.logger(`[sfn] ${machine.loaded.name}: execution ${state.name} resumed at ${position.state}`);
    }
  }

  /** Resolves once every change so far is on disk (at once when in memory). */
  async persisted(): Promise<void> {
    await this.options.files?.flushed();
  }

  /** Runs `stateMachine` (the machine's definition, or its resumed copy) for the execution. */
  private launch(
    machine: MachineEntry,
    state: ExecutionState,
    stateMachine: StateMachine,
    input: Json,
    resumed: ResumedView | undefined,
  ): ExecutionRun {
    const exec = new ExecutionRun(state, new ExecutionHistory(state, this.roleArn(), resumed), () => this.options.files?.save(state));
    this.runs.set(state.arn, exec);

    const handlers: LocalHandlers = {};
    for (const spec of machine.loaded.tasks.values()) {
      const handler: LocalHandler = (taskInput) => {
        // Synchronous on purpose: claims the token minted while this state's Parameters were evaluated.
        const token = exec.claimToken();
        const seq = ++exec.handlerCalls;
        const resumedTask = exec.resumedTask?.stateName === spec.stateName ? exec.resumedTask : undefined;
        exec.resumedTask = undefined;
        return this.tasks.run(exec, spec, toJson(taskInput), token, seq, resumedTask);
      };
      handlers[spec.stateName] = handler;
    }
    const context = {
      Execution: {
        Id: state.arn,
        Name: state.name,
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
    const run = stateMachine.run(input, { overrides: { taskResourceLocalHandlers: handlers }, context });
    exec.abort = run.abort;
    const topLevel = machine.loaded.runnable.States;
    const onStateExited = (name: string, output: Json): boolean => {
      if (!isOverPayloadLimit(JSON.stringify(output))) return true;
      this.fail(exec, DATA_LIMIT_EXCEEDED, resultTooLargeCause(name));
      return false;
    };
    exec.consumerDone = exec.history.consume(run.eventLogs, onStateExited, (name, stateInput, timestamp) => {
      const definition: unknown = topLevel[name];
      if (!isJsonObject(definition) || state.status !== 'RUNNING') return;
      if (exec.resumedWait === name) {
        exec.resumedWait = undefined;
        return;
      }
      exec.resumedWait = undefined;
      const deadline = definition['Type'] === 'Wait' ? waitDeadline(definition, stateInput, timestamp) : undefined;
      state.position = { state: name, input: stateInput, enteredAt: timestamp, waitDeadline: deadline };
      exec.changed();
    });
    run.result.then(
      (output) => {
        const text = JSON.stringify(output);
        if (!isOverPayloadLimit(text)) return this.close(exec, 'SUCCEEDED', { output: text });
        return this.close(exec, 'FAILED', { error: DATA_LIMIT_EXCEEDED, cause: resultTooLargeCause(state.name) });
      },
      (error: unknown) => this.close(exec, ...closingFor(error)),
    );
    return exec;
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
    checkLength('error', error, MAX_ERROR_LENGTH);
    checkLength('cause', cause, MAX_CAUSE_LENGTH);
    const state = this.store.get(executionArn);
    const exec = this.runs.get(executionArn);
    if (exec && markClosed(state, 'ABORTED', { error, cause })) {
      this.tasks.abandon(exec);
      exec.abort?.();
      this.options.logger(`[sfn] ${state.stateMachineName}: execution ${state.name} stopped`);
    } else if (!exec && markClosed(state, 'ABORTED', { error, cause })) {
      // Read back from disk and not resumed yet: nothing runs, only its record closes.
      new ExecutionHistory(state, this.roleArn()).close();
      this.options.files?.save(state);
      this.retire(state);
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
    checkPayload(outputText, 'InvalidOutput', 'Invalid Output: the output is too large');
    const output = parseJson(outputText);
    if (output === undefined) throw new SfnApiError('InvalidOutput', 'Invalid Output: the output is not valid JSON');
    this.tasks.succeed(task, output);
  }

  /** Fails the waiting task with `error` as its ASL error name, so the state's Retry/Catch apply. */
  sendTaskFailure(token: unknown, error: string | undefined, cause: string | undefined): void {
    checkLength('error', error, MAX_ERROR_LENGTH);
    checkLength('cause', cause, MAX_CAUSE_LENGTH);
    const task = this.tokens.lookup(token);
    this.tasks.fail(task, new TaskFailedError(error ?? '', cause ?? ''));
  }

  sendTaskHeartbeat(token: unknown): void {
    this.tasks.heartbeat(this.tokens.lookup(token));
  }

  /**
   * Resolves when every running execution is parked on a task token with no integration call
   * under way (or there is none running), or the engine is shut down; it never gives up. Polls,
   * as what makes an execution busy changes in several places (tasks, integration calls, Wait
   * states, Retry pauses) with no one event for it; an execution in a Wait state or a Retry
   * pause counts as busy until it moves on.
   */
  async waitForIdle(): Promise<void> {
    await waitFor(() => this.stopped || this.isIdle(), {
      what: 'the Step Functions executions to be idle',
      timeoutMs: Number.POSITIVE_INFINITY,
      intervalMs: 5,
    });
  }

  /**
   * Aborts every running execution, clears every task timer, and waits for their histories to
   * close. With a folder, what is on disk stays as it was before the abort (RUNNING executions
   * continue at the next start), as after a kill.
   */
  async shutdown(): Promise<void> {
    this.stopped = true;
    // History events since the last transition are written too.
    for (const exec of this.runs.values()) if (exec.state.status === 'RUNNING') this.options.files?.save(exec.state);
    await this.options.files?.close();
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

  /**
   * Fails a running execution at once with an error no Retry or Catch takes (a state output over
   * the payload quota): as StopExecution, but FAILED.
   */
  private fail(exec: ExecutionRun, error: string, cause: string): void {
    if (!markClosed(exec.state, 'FAILED', { error, cause })) return;
    this.options.logger(`[sfn] ${exec.state.stateMachineName}: execution ${exec.state.name} FAILED (${error})`);
    this.tasks.abandon(exec);
    exec.abort?.();
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
    this.options.files?.save(state);
    this.retire(state);
  }

  /** Keeps a closed execution; forgets the oldest beyond the bound (their names stay reserved). */
  private retire(state: ExecutionState): void {
    for (const old of this.store.retire(state)) {
      this.tokens.release(old.spentTokens);
      this.options.files?.forget(old);
    }
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
