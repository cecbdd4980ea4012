/**
 * The execution engine behind the API: executions, task tokens, task timers and history.
 * ASL itself (paths, Choice, Retry/Catch, Wait, Parallel, Map) is run by aws-local-stepfunctions;
 * every Task state is overridden by a local handler that performs the service integration, the
 * `.waitForTaskToken` callback wait, `TimeoutSeconds` and `HeartbeatSeconds`.
 *
 * Task tokens: `$$.Task.Token` is a getter on the context object. The library evaluates a state's
 * Parameters and calls the state's local handler in the same synchronous run, so a token minted
 * by the getter is claimed by that handler before any other code runs; a retry evaluates the
 * Parameters again and gets a fresh token, as on AWS.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine, type RunOptions } from 'aws-local-stepfunctions';
import { WRAPPED, type LoadedMachine, type TaskSpec } from './definition.js';
import { SfnApiError, TaskFailedError } from './errors.js';
import { callIntegration, historyResource, type IntegrationDeps } from './integrations.js';
import { isJsonObject, parseJson, toJson, type Json, type JsonObject } from './json.js';
import { delay, setLongTimeout, type Timer } from './timers.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
export const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type LocalHandler = LocalHandlers[string];
type EventLogs = ReturnType<StateMachine['run']>['eventLogs'];
type LibEvent = EventLogs extends AsyncGenerator<infer E> ? E : never;

/** AWS limit on a task token's length (SendTask* reject longer ones with a ValidationException). */
const MAX_TOKEN_LENGTH = 2048;
const EXECUTION_NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;

/** AWS: 1–80 characters; no whitespace, brackets, wildcards, the listed punctuation, or control characters. */
function isExecutionName(name: string): boolean {
  if (name.length < 1 || name.length > 80 || EXECUTION_NAME_FORBIDDEN.test(name)) return false;
  for (const char of name) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return false;
  }
  return true;
}

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
  readonly executionsByName: Map<string, ExecutionRecord>;
  /**
   * Names of forgotten (evicted) executions: kept so a reused name is still ExecutionAlreadyExists
   * (AWS keeps closed executions for 90 days; the order workflow's idempotency relies on it).
   */
  readonly retiredNames: Map<string, string>;
}

interface PendingEvent {
  readonly seq: number;
  readonly type: string;
  readonly details: JsonObject;
  readonly timestamp: number;
}

class ExecutionRecord {
  status: ExecutionStatus = 'RUNNING';
  stopDate: Date | undefined;
  output: string | undefined;
  error: string | undefined;
  cause: string | undefined;
  readonly history: JsonObject[] = [];
  readonly tasks = new Set<RunningTask>();
  /** Tokens of this execution's finished tasks (released from the engine when it is forgotten). */
  readonly spentTokens: string[] = [];
  /** Integration calls under way (for waitForIdle). */
  inFlight = 0;
  abort: (() => void) | undefined;
  /** Task handler invocations so far, and Task starts (entries + retries) the history has seen. */
  handlerCalls = 0;
  taskStartsSeen = 0;
  pending: PendingEvent[] = [];
  consumerDone: Promise<void> = Promise.resolve();
  readonly finalized: Promise<void>;
  resolveFinalized: () => void = () => {};
  private mintedToken: string | undefined;
  private enteredTime: string | undefined;

  constructor(
    readonly arn: string,
    readonly name: string,
    readonly machine: MachineEntry,
    readonly input: string,
    readonly canonicalInput: string,
    readonly startDate: Date,
  ) {
    this.finalized = new Promise((resolve) => {
      this.resolveFinalized = resolve;
    });
  }

  /** `$$.Task.Token`: one token per synchronous evaluation of a state's Parameters. */
  currentToken(): string {
    if (this.mintedToken === undefined) {
      this.mintedToken = randomBytes(96).toString('base64url');
      queueMicrotask(() => {
        this.mintedToken = undefined;
      });
    }
    return this.mintedToken;
  }

  claimToken(): string | undefined {
    const token = this.mintedToken;
    this.mintedToken = undefined;
    return token;
  }

  /** `$$.State.EnteredTime`: evaluated in the same synchronous run that enters the state. */
  currentEnteredTime(): string {
    if (this.enteredTime === undefined) {
      this.enteredTime = new Date().toISOString();
      queueMicrotask(() => {
        this.enteredTime = undefined;
      });
    }
    return this.enteredTime;
  }
}

class RunningTask {
  settled = false;
  token: string | undefined;
  readonly promise: Promise<Json>;
  resolve: (value: Json) => void = () => {};
  reject: (error: Error) => void = () => {};
  private timeout: Timer | undefined;
  private heartbeat: Timer | undefined;

  constructor(
    readonly exec: ExecutionRecord,
    readonly spec: TaskSpec,
    readonly seq: number,
    readonly heartbeatSeconds: number | undefined,
  ) {
    this.promise = new Promise<Json>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  armTimeout(seconds: number, onFire: () => void): void {
    this.timeout = setLongTimeout(seconds * 1000, onFire);
  }

  /** (Re)starts the heartbeat clock; a no-op for tasks without HeartbeatSeconds. */
  armHeartbeat(onFire: () => void): void {
    this.heartbeat?.cancel();
    if (this.heartbeatSeconds !== undefined) this.heartbeat = setLongTimeout(this.heartbeatSeconds * 1000, onFire);
  }

  clearTimers(): void {
    this.timeout?.cancel();
    this.heartbeat?.cancel();
  }
}

export interface ExecutionSummary {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startDate: Date;
  readonly stopDate: Date | undefined;
}

export interface ExecutionDescription extends ExecutionSummary {
  readonly input: string;
  readonly output: string | undefined;
  readonly error: string | undefined;
  readonly cause: string | undefined;
}

export class Engine {
  private readonly machines = new Map<string, MachineEntry>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly openTasks = new Map<string, RunningTask>();
  /** Tokens of tasks that are over (succeeded, failed, timed out, aborted): answered with TaskTimedOut. */
  private readonly closedTokens = new Set<string>();
  /** Closed executions in the order they closed, for the retention bound. */
  private readonly closedExecutions: ExecutionRecord[] = [];
  private readonly maxClosedExecutions: number;
  private stopped = false;

  constructor(private readonly options: EngineOptions) {
    this.maxClosedExecutions = Math.max(0, options.maxClosedExecutions ?? 1000);
    for (const loaded of options.machines) {
      const arn = this.stateMachineArn(loaded.name);
      if (this.machines.has(arn)) throw new Error(`State machine ${loaded.name} is defined twice`);
      // Already validated by loadDefinition (against the original, not the rewritten, definition).
      const stateMachine = new StateMachine(loaded.runnable, { validationOptions: { noValidate: true } });
      this.machines.set(arn, { arn, loaded, stateMachine, creationDate: new Date(), executionsByName: new Map(), retiredNames: new Map() });
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
  startExecution(stateMachineArn: string, name: string | undefined, inputText: string | undefined): ExecutionRecord {
    if (this.stopped) throw new Error('the Step Functions endpoint is stopped');
    const machine = this.machine(stateMachineArn);
    const executionName = name ?? randomUUID();
    if (!isExecutionName(executionName)) throw new SfnApiError('InvalidName', `Invalid Name: '${executionName}'`);
    const text = inputText ?? '{}';
    const input = parseJson(text);
    if (input === undefined)
      throw new SfnApiError('InvalidExecutionInput', 'Invalid State Machine Execution Input: the input is not valid JSON');
    const canonicalInput = JSON.stringify(input);

    const existing = machine.executionsByName.get(executionName);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.canonicalInput === canonicalInput) return existing;
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.arn}'`);
    }
    const retired = machine.retiredNames.get(executionName);
    if (retired !== undefined) throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${retired}'`);

    const arn = `arn:aws:states:${this.options.region}:${this.options.accountId}:execution:${machine.loaded.name}:${executionName}`;
    const exec = new ExecutionRecord(arn, executionName, machine, text, canonicalInput, new Date());
    machine.executionsByName.set(executionName, exec);
    this.executions.set(arn, exec);

    const handlers: LocalHandlers = {};
    for (const spec of machine.loaded.tasks.values()) {
      const handler: LocalHandler = (taskInput) => {
        // Synchronous on purpose: claims the token minted while this state's Parameters were evaluated.
        const token = exec.claimToken();
        const seq = ++exec.handlerCalls;
        return this.runTask(exec, spec, toJson(taskInput), token, seq);
      };
      handlers[spec.stateName] = handler;
    }
    const context = {
      Execution: { Id: arn, Name: executionName, RoleArn: this.roleArn(), StartTime: exec.startDate.toISOString(), RedriveCount: 0 },
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
    exec.consumerDone = this.consumeEvents(exec, run.eventLogs);
    run.result.then(
      (output) => this.close(exec, 'SUCCEEDED', { output: JSON.stringify(output) }),
      (error: unknown) => this.close(exec, ...closingFor(error)),
    );
    this.options.logger(`[sfn] ${machine.loaded.name}: execution ${executionName} started`);
    return exec;
  }

  describeExecution(executionArn: string): ExecutionDescription {
    return describe(this.execution(executionArn));
  }

  listExecutions(stateMachineArn: string, status: ExecutionStatus | undefined): ExecutionSummary[] {
    const machine = this.machine(stateMachineArn);
    return [...machine.executionsByName.values()]
      .filter((e) => status === undefined || e.status === status)
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime())
      .map(describe);
  }

  /** Returns once the history is final (for a closed execution) or as it stands (running). */
  async history(executionArn: string): Promise<readonly JsonObject[]> {
    const exec = this.execution(executionArn);
    if (exec.status !== 'RUNNING') await exec.finalized;
    return exec.history;
  }

  /** Stops a running execution; its pending task tokens stop being valid. Closed executions are left as they are. */
  stopExecution(executionArn: string, error: string | undefined, cause: string | undefined): Date {
    const exec = this.execution(executionArn);
    if (exec.status === 'RUNNING') {
      exec.status = 'ABORTED';
      exec.stopDate = new Date();
      exec.error = error;
      exec.cause = cause;
      this.abandonTasks(exec);
      exec.abort?.();
      this.options.logger(`[sfn] ${exec.machine.loaded.name}: execution ${exec.name} stopped`);
    }
    return exec.stopDate ?? new Date();
  }

  sendTaskSuccess(token: unknown, outputText: unknown): void {
    const task = this.openTask(token);
    if (typeof outputText !== 'string')
      throw new SfnApiError(
        'ValidationException',
        "1 validation error detected: Value null at 'output' failed to satisfy constraint: Member must not be null",
      );
    const output = parseJson(outputText);
    if (output === undefined) throw new SfnApiError('InvalidOutput', 'Invalid Output: the output is not valid JSON');
    this.succeed(task, output);
  }

  /** Fails the waiting task with `error` as its ASL error name, so the state's Retry/Catch apply. */
  sendTaskFailure(token: unknown, error: string | undefined, cause: string | undefined): void {
    const task = this.openTask(token);
    this.fail(task, new TaskFailedError(error ?? '', cause ?? ''));
  }

  sendTaskHeartbeat(token: unknown): void {
    const task = this.openTask(token);
    task.armHeartbeat(() => this.timeOut(task, 'Heartbeat timed out'));
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
    for (const exec of this.executions.values()) {
      if (exec.status !== 'RUNNING') continue;
      exec.status = 'ABORTED';
      exec.stopDate = new Date();
      exec.cause = 'The Step Functions endpoint was stopped';
      this.abandonTasks(exec);
      exec.abort?.();
    }
    await Promise.all([...this.executions.values()].map((e) => e.finalized));
  }

  private isIdle(): boolean {
    for (const exec of this.executions.values()) {
      if (exec.status !== 'RUNNING') continue;
      if (exec.inFlight > 0 || exec.tasks.size === 0) return false;
      for (const task of exec.tasks) if (task.token === undefined) return false;
    }
    return true;
  }

  /** The (fictional) role executions run as, as shown in DescribeStateMachine and history. */
  roleArn(): string {
    return `arn:aws:iam::${this.options.accountId}:role/local-stepfunctions`;
  }

  private machine(arn: string): MachineEntry {
    if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/.test(arn))
      throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    const machine = this.machines.get(arn);
    if (!machine) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private execution(arn: string): ExecutionRecord {
    if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/.test(arn))
      throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    const exec = this.executions.get(arn);
    if (!exec) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return exec;
  }

  /**
   * A token that was never issued is InvalidToken; one whose task is over (completed, failed,
   * timed out, or its execution stopped) is TaskTimedOut, which is what AWS answers to a reused token.
   */
  private openTask(token: unknown): RunningTask {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      throw new SfnApiError(
        'ValidationException',
        `1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length between 1 and ${MAX_TOKEN_LENGTH}`,
      );
    }
    const task = this.openTasks.get(token);
    if (task) return task;
    if (this.closedTokens.has(token)) throw new SfnApiError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    throw new SfnApiError('InvalidToken', 'Invalid Token: the token was not issued by this endpoint');
  }

  private async runTask(exec: ExecutionRecord, spec: TaskSpec, input: Json, token: string | undefined, seq: number): Promise<Json> {
    if (exec.status !== 'RUNNING' || this.stopped) return Promise.reject(executionOver());
    const wrapped = isJsonObject(input) ? input : {};
    const parameters = wrapped[WRAPPED.params] ?? null;
    const timeoutSeconds = spec.timeoutSeconds ?? secondsFromPath(wrapped[WRAPPED.timeoutSeconds], spec.stateName, 'TimeoutSecondsPath');
    const heartbeatSeconds =
      spec.heartbeatSeconds ?? secondsFromPath(wrapped[WRAPPED.heartbeatSeconds], spec.stateName, 'HeartbeatSecondsPath');
    const { integration } = spec;
    const task = new RunningTask(exec, spec, seq, integration.waitForTaskToken ? heartbeatSeconds : undefined);
    exec.tasks.add(task);

    const { resourceType, resource } = historyResource(integration);
    if (integration.kind === 'lambda-function') {
      this.recordTaskEvent(exec, seq, 'LambdaFunctionScheduled', {
        lambdaFunctionScheduledEventDetails: {
          resource,
          input: JSON.stringify(parameters),
          inputDetails: { truncated: false },
          ...optional('timeoutInSeconds', timeoutSeconds),
        },
      });
      this.recordTaskEvent(exec, seq, 'LambdaFunctionStarted', {});
    } else {
      this.recordTaskEvent(exec, seq, 'TaskScheduled', {
        taskScheduledEventDetails: {
          resourceType,
          resource,
          region: this.options.region,
          parameters: JSON.stringify(parameters),
          ...optional('timeoutInSeconds', timeoutSeconds),
          ...optional('heartbeatInSeconds', task.heartbeatSeconds),
        },
      });
      this.recordTaskEvent(exec, seq, 'TaskStarted', { taskStartedEventDetails: { resourceType, resource } });
    }

    if (timeoutSeconds !== undefined) task.armTimeout(timeoutSeconds, () => this.timeOut(task, `Task timed out after ${timeoutSeconds} s`));
    if (integration.waitForTaskToken) {
      // Registered before the call: an in-process Lambda may answer before its invoke returns.
      task.token = token ?? exec.currentToken();
      this.openTasks.set(task.token, task);
      task.armHeartbeat(() => this.timeOut(task, 'Heartbeat timed out'));
    }

    exec.inFlight++;
    callIntegration(integration, parameters, this.options)
      .then(
        (result) => {
          if (!integration.waitForTaskToken) this.succeed(task, result);
          else if (!task.settled)
            this.recordTaskEvent(exec, seq, 'TaskSubmitted', {
              taskSubmittedEventDetails: { resourceType, resource, output: JSON.stringify(result), outputDetails: { truncated: false } },
            });
        },
        (error: unknown) => this.fail(task, asTaskError(error)),
      )
      .finally(() => {
        exec.inFlight--;
      });
    return task.promise;
  }

  private succeed(task: RunningTask, output: Json): void {
    if (!this.settle(task)) return;
    const { resourceType, resource } = historyResource(task.spec.integration);
    const text = JSON.stringify(output);
    if (task.spec.integration.kind === 'lambda-function') {
      this.recordTaskEvent(task.exec, task.seq, 'LambdaFunctionSucceeded', {
        lambdaFunctionSucceededEventDetails: { output: text, outputDetails: { truncated: false } },
      });
    } else {
      this.recordTaskEvent(task.exec, task.seq, 'TaskSucceeded', {
        taskSucceededEventDetails: { resourceType, resource, output: text, outputDetails: { truncated: false } },
      });
    }
    task.resolve(output);
  }

  private fail(task: RunningTask, error: TaskFailedError): void {
    if (!this.settle(task)) return;
    const { resourceType, resource } = historyResource(task.spec.integration);
    if (task.spec.integration.kind === 'lambda-function') {
      this.recordTaskEvent(task.exec, task.seq, 'LambdaFunctionFailed', {
        lambdaFunctionFailedEventDetails: { error: error.error, cause: error.errorCause },
      });
    } else {
      this.recordTaskEvent(task.exec, task.seq, 'TaskFailed', {
        taskFailedEventDetails: { resourceType, resource, error: error.error, cause: error.errorCause },
      });
    }
    this.options.logger(`[sfn] ${task.exec.name}: ${task.spec.stateName} failed with ${error.error}`);
    task.reject(error);
  }

  private timeOut(task: RunningTask, cause: string): void {
    if (!this.settle(task)) return;
    const { resourceType, resource } = historyResource(task.spec.integration);
    if (task.spec.integration.kind === 'lambda-function') {
      this.recordTaskEvent(task.exec, task.seq, 'LambdaFunctionTimedOut', {
        lambdaFunctionTimedOutEventDetails: { error: 'States.Timeout', cause },
      });
    } else {
      this.recordTaskEvent(task.exec, task.seq, 'TaskTimedOut', {
        taskTimedOutEventDetails: { resourceType, resource, error: 'States.Timeout', cause },
      });
    }
    this.options.logger(`[sfn] ${task.exec.name}: ${task.spec.stateName} timed out (${cause})`);
    task.reject(this.options.timeoutError());
  }

  /** Marks the task over exactly once: timers cleared, token closed. `false` if it already was. */
  private settle(task: RunningTask): boolean {
    if (task.settled) return false;
    task.settled = true;
    task.clearTimers();
    task.exec.tasks.delete(task);
    if (task.token !== undefined) {
      this.openTasks.delete(task.token);
      this.closedTokens.add(task.token);
      task.exec.spentTokens.push(task.token);
    }
    return true;
  }

  /**
   * Ends the tasks of an execution that is over. Their promises reject with an error no Retry or
   * Catch takes, so the library's run unwinds and clears its own timers instead of hanging.
   */
  private abandonTasks(exec: ExecutionRecord): void {
    for (const task of [...exec.tasks]) if (this.settle(task)) task.reject(executionOver());
  }

  private async close(
    exec: ExecutionRecord,
    status: ExecutionStatus,
    fields: { output?: string; error?: string; cause?: string },
  ): Promise<void> {
    if (exec.status === 'RUNNING') {
      exec.status = status;
      exec.stopDate = new Date();
      exec.output = fields.output;
      exec.error = fields.error;
      exec.cause = fields.cause;
      this.options.logger(`[sfn] ${exec.machine.loaded.name}: execution ${exec.name} ${status}${fields.error ? ` (${fields.error})` : ''}`);
    }
    this.abandonTasks(exec);
    exec.abort = undefined;
    await exec.consumerDone;
    this.flushPending(exec, Number.POSITIVE_INFINITY);
    const at = exec.stopDate?.getTime() ?? Date.now();
    const errorDetails = { ...optional('error', exec.error), ...optional('cause', exec.cause) };
    switch (exec.status) {
      case 'SUCCEEDED':
        this.append(
          exec,
          'ExecutionSucceeded',
          { executionSucceededEventDetails: { output: exec.output ?? 'null', outputDetails: { truncated: false } } },
          at,
        );
        break;
      case 'FAILED':
        this.append(exec, 'ExecutionFailed', { executionFailedEventDetails: errorDetails }, at);
        break;
      case 'TIMED_OUT':
        this.append(exec, 'ExecutionTimedOut', { executionTimedOutEventDetails: errorDetails }, at);
        break;
      case 'ABORTED':
        this.append(exec, 'ExecutionAborted', { executionAbortedEventDetails: errorDetails }, at);
        break;
      case 'RUNNING':
        break;
    }
    exec.resolveFinalized();
    this.retain(exec);
  }

  /** Forgets the oldest closed executions beyond the bound: their records, histories and spent tokens. */
  private retain(exec: ExecutionRecord): void {
    this.closedExecutions.push(exec);
    while (this.closedExecutions.length > this.maxClosedExecutions) {
      const old = this.closedExecutions.shift();
      if (old === undefined) break;
      this.executions.delete(old.arn);
      old.machine.executionsByName.delete(old.name);
      old.machine.retiredNames.set(old.name, old.arn);
      for (const token of old.spentTokens) this.closedTokens.delete(token);
    }
  }

  private async consumeEvents(exec: ExecutionRecord, events: EventLogs): Promise<void> {
    for await (const event of events) this.onLibraryEvent(exec, event);
  }

  private onLibraryEvent(exec: ExecutionRecord, event: LibEvent): void {
    switch (event.type) {
      case 'ExecutionStarted':
        this.append(
          exec,
          'ExecutionStarted',
          {
            executionStartedEventDetails: { input: exec.input, inputDetails: { truncated: false }, roleArn: this.roleArn() },
          },
          event.timestamp,
        );
        break;
      case 'StateEntered':
        this.append(
          exec,
          `${event.state.type}StateEntered`,
          {
            stateEnteredEventDetails: {
              name: event.state.name,
              input: JSON.stringify(event.state.input),
              inputDetails: { truncated: false },
            },
          },
          event.timestamp,
        );
        if (event.state.type === 'Task') this.taskStarted(exec);
        break;
      case 'StateRetried':
        if (event.state.type === 'Task') this.taskStarted(exec);
        break;
      case 'StateExited':
        this.flushPending(exec, exec.taskStartsSeen);
        this.append(
          exec,
          `${event.state.type}StateExited`,
          {
            stateExitedEventDetails: {
              name: event.state.name,
              output: JSON.stringify(event.state.output ?? null),
              outputDetails: { truncated: false },
            },
          },
          event.timestamp,
        );
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const key = `${event.type.charAt(0).toLowerCase()}${event.type.slice(1)}EventDetails`;
        this.append(exec, event.type, { [key]: { name: event.parentState.name, index: event.index } }, event.timestamp);
        break;
      }
      default:
        // Terminal events are written by close(), with the execution's own error and cause.
        break;
    }
  }

  private taskStarted(exec: ExecutionRecord): void {
    exec.taskStartsSeen++;
    this.flushPending(exec, exec.taskStartsSeen);
  }

  /**
   * Task events are produced synchronously in the task handler, while the library's own events
   * reach us a few microtasks later; a task event waits until the history has seen the state
   * entry (or retry) it belongs to, so the history reads in order.
   */
  private recordTaskEvent(exec: ExecutionRecord, seq: number, type: string, details: JsonObject): void {
    if (exec.taskStartsSeen >= seq && exec.pending.length === 0) this.append(exec, type, details, Date.now());
    else exec.pending.push({ seq, type, details, timestamp: Date.now() });
  }

  private flushPending(exec: ExecutionRecord, upToSeq: number): void {
    const keep: PendingEvent[] = [];
    for (const event of exec.pending) {
      if (event.seq <= upToSeq && keep.length === 0) this.append(exec, event.type, event.details, event.timestamp);
      else keep.push(event);
    }
    exec.pending = keep;
  }

  private append(exec: ExecutionRecord, type: string, details: JsonObject, timestampMs: number): void {
    const id = exec.history.length + 1;
    exec.history.push({ timestamp: timestampMs / 1000, type, id, previousEventId: id - 1, ...details });
  }
}

function describe(exec: ExecutionRecord): ExecutionDescription {
  return {
    executionArn: exec.arn,
    stateMachineArn: exec.machine.arn,
    name: exec.name,
    status: exec.status,
    startDate: exec.startDate,
    stopDate: exec.stopDate,
    input: exec.input,
    output: exec.output,
    error: exec.error,
    cause: exec.cause,
  };
}

function closingFor(error: unknown): [ExecutionStatus, { error?: string; cause?: string }] {
  if (error instanceof ExecutionAbortedError) return ['ABORTED', {}];
  if (error instanceof ExecutionTimeoutError)
    return ['TIMED_OUT', { error: 'States.Timeout', cause: 'The execution timed out (TimeoutSeconds)' }];
  const failure = error instanceof ExecutionError ? error.cause : error;
  if (failure instanceof TaskFailedError) return ['FAILED', { error: failure.error, cause: failure.errorCause }];
  if (failure instanceof Error) return ['FAILED', { error: failure.name, cause: failure.message }];
  return ['FAILED', { error: 'States.Runtime', cause: String(failure) }];
}

function executionOver(): TaskFailedError {
  return new TaskFailedError('States.Runtime', 'The execution is no longer running', false);
}

function asTaskError(error: unknown): TaskFailedError {
  if (error instanceof TaskFailedError) return error;
  if (error instanceof Error) return new TaskFailedError(error.name, error.message);
  return new TaskFailedError('States.TaskFailed', String(error));
}

/** A seconds value read through TimeoutSecondsPath/HeartbeatSecondsPath: a positive integer, as AWS requires. */
function secondsFromPath(value: Json | undefined, stateName: string, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  throw new TaskFailedError(
    'States.Runtime',
    `state ${stateName}: ${field} resolved to ${JSON.stringify(value)}, not a positive integer`,
    false,
  );
}

function optional<K extends string>(key: K, value: Json | undefined): Partial<Record<K, Json>> {
  const out: Partial<Record<K, Json>> = {};
  if (value !== undefined) out[key] = value;
  return out;
}
