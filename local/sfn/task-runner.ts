/**
 * Runs Task states. aws-local-stepfunctions runs every other state type itself (paths, Choice,
 * Retry/Catch, Wait, Parallel, Map); each Task state is overridden by a local handler that lands
 * here: the service integration call, the `.waitForTaskToken` callback wait, `TimeoutSeconds`
 * and `HeartbeatSeconds`, and the Task's history events.
 */
import { WRAPPED, type TaskSpec } from './definition.js';
import { DataLimitExceededError, TaskFailedError } from './errors.js';
import type { TaskPosition } from './execution-store.js';
import type { ExecutionRun } from './execution-run.js';
import { optional } from './history.js';
import { callIntegration, historyResource, type Integration, type IntegrationDeps } from './integrations.js';
import { isJsonObject, type Json, type JsonObject } from './json.js';
import { inputTooLargeCause, isOverPayloadLimit, resultTooLargeCause } from './limits.js';
import type { TaskTokens } from './task-tokens.js';
import { setLongTimeout, type Timer } from './timers.js';

export interface TaskRunnerDeps extends IntegrationDeps {
  readonly logger: (line: string) => void;
  /** Builds the library's own `States.Timeout` error, which `States.TaskFailed` does not match. */
  readonly timeoutError: () => Error;
  readonly tokens: TaskTokens<RunningTask>;
  /** `true` once the endpoint is stopping: no new task starts. */
  readonly stopped: () => boolean;
}

/** One Task state attempt. Its clocks are absolute deadlines (epoch ms), armed as timers while it runs. */
export class RunningTask {
  settled = false;
  token: string | undefined;
  /** Tokens issued for this task before a restart: they lead here too (see TaskRunner.run). */
  aliases: readonly string[] = [];
  /** What the execution's file says about this attempt (top-level tasks only). */
  position: TaskPosition | undefined;
  timeoutDeadline: number | undefined;
  heartbeatDeadline: number | undefined;
  readonly promise: Promise<Json>;
  resolve: (value: Json) => void = () => {};
  reject: (error: Error) => void = () => {};
  private timeout: Timer | undefined;
  private heartbeat: Timer | undefined;

  constructor(
    readonly exec: ExecutionRun,
    readonly spec: TaskSpec,
    /** Which Task handler call of the execution this is (orders its history events). */
    readonly seq: number,
    readonly heartbeatSeconds: number | undefined,
  ) {
    this.promise = new Promise<Json>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** Arms the task timeout for `deadline` (epoch ms); one already past fires at once. */
  armTimeout(deadline: number, onFire: () => void): void {
    this.timeoutDeadline = deadline;
    this.timeout = setLongTimeout(deadline - Date.now(), onFire);
  }

  /**
   * (Re)starts the heartbeat clock, by default `HeartbeatSeconds` from now; a no-op for tasks
   * without HeartbeatSeconds.
   */
  armHeartbeat(onFire: () => void, deadline?: number): void {
    this.heartbeat?.cancel();
    if (this.heartbeatSeconds === undefined) return;
    this.heartbeatDeadline = deadline ?? Date.now() + this.heartbeatSeconds * 1000;
    this.heartbeat = setLongTimeout(this.heartbeatDeadline - Date.now(), onFire);
  }

  clearTimers(): void {
    this.timeout?.cancel();
    this.heartbeat?.cancel();
  }
}

type HistoryEvent = readonly [type: string, details: JsonObject];

/** How one Task's events read in the history, by integration: a bare Lambda function ARN has Lambda's own events. */
interface TaskEvents {
  scheduled(parameters: Json, timeoutSeconds: number | undefined, heartbeatSeconds: number | undefined): HistoryEvent[];
  succeeded(output: string): HistoryEvent;
  failed(error: string, cause: string): HistoryEvent;
  timedOut(cause: string): HistoryEvent;
}

function lambdaFunctionEvents(resource: string): TaskEvents {
  return {
    scheduled: (parameters, timeoutSeconds) => [
      [
        'LambdaFunctionScheduled',
        {
          lambdaFunctionScheduledEventDetails: {
            resource,
            input: JSON.stringify(parameters),
            inputDetails: { truncated: false },
            ...optional('timeoutInSeconds', timeoutSeconds),
          },
        },
      ],
      ['LambdaFunctionStarted', {}],
    ],
    succeeded: (output) => [
      'LambdaFunctionSucceeded',
      { lambdaFunctionSucceededEventDetails: { output, outputDetails: { truncated: false } } },
    ],
    failed: (error, cause) => ['LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error, cause } }],
    timedOut: (cause) => ['LambdaFunctionTimedOut', { lambdaFunctionTimedOutEventDetails: { error: 'States.Timeout', cause } }],
  };
}

function serviceTaskEvents(resourceType: string, resource: string, region: string): TaskEvents {
  return {
    scheduled: (parameters, timeoutSeconds, heartbeatSeconds) => [
      [
        'TaskScheduled',
        {
          taskScheduledEventDetails: {
            resourceType,
            resource,
            region,
            parameters: JSON.stringify(parameters),
            ...optional('timeoutInSeconds', timeoutSeconds),
            ...optional('heartbeatInSeconds', heartbeatSeconds),
          },
        },
      ],
      ['TaskStarted', { taskStartedEventDetails: { resourceType, resource } }],
    ],
    succeeded: (output) => [
      'TaskSucceeded',
      { taskSucceededEventDetails: { resourceType, resource, output, outputDetails: { truncated: false } } },
    ],
    failed: (error, cause) => ['TaskFailed', { taskFailedEventDetails: { resourceType, resource, error, cause } }],
    timedOut: (cause) => ['TaskTimedOut', { taskTimedOutEventDetails: { resourceType, resource, error: 'States.Timeout', cause } }],
  };
}

function taskEvents(integration: Integration, region: string): TaskEvents {
  const { resourceType, resource } = historyResource(integration);
  return integration.kind === 'lambda-function' ? lambdaFunctionEvents(resource) : serviceTaskEvents(resourceType, resource, region);
}

export class TaskRunner {
  constructor(private readonly deps: TaskRunnerDeps) {}

  /**
   * The Task handler: runs one attempt of `spec` with the library-evaluated (wrapped) input.
   *
   * `resumed` is the attempt that was under way when the endpoint stopped (read back from disk).
   * Its deadlines are kept, so it times out when it would have; one that fell due while the
   * endpoint was down fires at once, without calling the integration again. Otherwise the
   * integration is called again (at-least-once, as Lambda retries): a `.waitForTaskToken` task
   * gets a fresh token and re-sends its callback request (the order workflow's awaitParty stores
   * the new token on the order and re-alerts the party; it is idempotent, the ASL already retries
   * it), because the request may never have been delivered: the endpoint may have stopped before
   * the call, and the local SQS queues that carry the alerts are not durable. The old tokens stay
   * valid too (as on AWS, where the task never stopped waiting): SendTaskSuccess/Failure/Heartbeat
   * with any of them completes this attempt, and the others then answer TaskTimedOut.
   */
  async run(
    exec: ExecutionRun,
    spec: TaskSpec,
    input: Json,
    token: string | undefined,
    seq: number,
    resumed?: TaskPosition,
  ): Promise<Json> {
    if (exec.state.status !== 'RUNNING' || this.deps.stopped()) return Promise.reject(executionOver());
    const wrapped = isJsonObject(input) ? input : {};
    const parameters = wrapped[WRAPPED.params] ?? null;
    const timeoutSeconds = spec.timeoutSeconds ?? secondsFromPath(wrapped[WRAPPED.timeoutSeconds], spec.stateName, 'TimeoutSecondsPath');
    const heartbeatSeconds =
      spec.heartbeatSeconds ?? secondsFromPath(wrapped[WRAPPED.heartbeatSeconds], spec.stateName, 'HeartbeatSecondsPath');
    if (isOverPayloadLimit(JSON.stringify(parameters)))
      return Promise.reject(new DataLimitExceededError(inputTooLargeCause(spec.stateName), spec.errorMatchers));
    const { integration } = spec;
    const task = new RunningTask(exec, spec, seq, integration.waitForTaskToken ? heartbeatSeconds : undefined);
    exec.tasks.add(task);

    for (const [type, details] of taskEvents(integration, this.deps.region).scheduled(parameters, timeoutSeconds, task.heartbeatSeconds)) {
      exec.history.recordTaskEvent(seq, type, details);
    }

    const timeoutDeadline = resumed?.timeoutDeadline ?? (timeoutSeconds === undefined ? undefined : Date.now() + timeoutSeconds * 1000);
    if (timeoutDeadline !== undefined)
      task.armTimeout(timeoutDeadline, () => this.timeOut(task, `Task timed out after ${timeoutSeconds} s`));
    if (integration.waitForTaskToken) {
      // Registered before the call: an in-process Lambda may answer before its invoke returns.
      task.token = token ?? exec.currentToken();
      task.aliases = resumed?.tokens ?? [];
      for (const t of [task.token, ...task.aliases]) this.deps.tokens.register(t, task);
      task.armHeartbeat(() => this.timeOut(task, 'Heartbeat timed out'), resumed?.heartbeatDeadline);
    }
    if (spec.topLevel) {
      task.position = {
        stateName: spec.stateName,
        tokens: task.token === undefined ? [] : [task.token, ...task.aliases],
        timeoutDeadline: task.timeoutDeadline,
        heartbeatDeadline: task.heartbeatDeadline,
      };
      exec.state.task = task.position;
      exec.changed();
    }
    const now = Date.now();
    const overdue = (task.timeoutDeadline ?? Infinity) <= now || (task.heartbeatDeadline ?? Infinity) <= now;
    if (resumed && overdue) return task.promise;

    exec.inFlight++;
    // The library enters this state in the same synchronous run that exits the one before; waiting
    // a turn lets the history see that exit first, so an execution failed there (a state output
    // over the payload quota) calls nothing more.
    new Promise((resolve) => setImmediate(resolve))
      .then(() => (task.settled ? undefined : callIntegration(integration, parameters, this.deps)))
      .then(
        (result) => {
          if (result === undefined) return;
          if (!integration.waitForTaskToken) this.succeed(task, result);
          else if (!task.settled) {
            const { resourceType, resource } = historyResource(integration);
            exec.history.recordTaskEvent(seq, 'TaskSubmitted', {
              taskSubmittedEventDetails: { resourceType, resource, output: JSON.stringify(result), outputDetails: { truncated: false } },
            });
          }
        },
        (error: unknown) => this.fail(task, asTaskError(error)),
      )
      .finally(() => {
        exec.inFlight--;
      });
    return task.promise;
  }

  /** Completes the task with its result; a result over the payload quota fails it with States.DataLimitExceeded. */
  succeed(task: RunningTask, output: Json): void {
    const text = JSON.stringify(output);
    if (isOverPayloadLimit(text)) {
      this.fail(task, new DataLimitExceededError(resultTooLargeCause(task.spec.stateName), task.spec.errorMatchers));
      return;
    }
    if (!this.settle(task)) return;
    const [type, details] = taskEvents(task.spec.integration, this.deps.region).succeeded(text);
    task.exec.history.recordTaskEvent(task.seq, type, details);
    task.resolve(output);
  }

  fail(task: RunningTask, error: TaskFailedError): void {
    if (!this.settle(task)) return;
    const [type, details] = taskEvents(task.spec.integration, this.deps.region).failed(error.error, error.errorCause);
    task.exec.history.recordTaskEvent(task.seq, type, details);
    this.deps.logger(`[sfn] ${task.exec.state.name}: ${task.spec.stateName} failed with ${error.error}`);
    task.reject(error);
  }

  /** (Re)starts the task's heartbeat clock (SendTaskHeartbeat). */
  heartbeat(task: RunningTask): void {
    task.armHeartbeat(() => this.timeOut(task, 'Heartbeat timed out'));
    if (task.position) {
      task.position.heartbeatDeadline = task.heartbeatDeadline;
      task.exec.changed();
    }
  }

  /**
   * Ends the tasks of an execution that is over. Their promises reject with an error no Retry or
   * Catch takes, so the library's run unwinds and clears its own timers instead of hanging.
   */
  abandon(exec: ExecutionRun): void {
    for (const task of [...exec.tasks]) if (this.settle(task)) task.reject(executionOver());
  }

  private timeOut(task: RunningTask, cause: string): void {
    if (!this.settle(task)) return;
    const [type, details] = taskEvents(task.spec.integration, this.deps.region).timedOut(cause);
    task.exec.history.recordTaskEvent(task.seq, type, details);
    this.deps.logger(`[sfn] ${task.exec.state.name}: ${task.spec.stateName} timed out (${cause})`);
    task.reject(this.deps.timeoutError());
  }

  /** Marks the task over exactly once: timers cleared, token closed. `false` if it already was. */
  private settle(task: RunningTask): boolean {
    if (task.settled) return false;
    task.settled = true;
    task.clearTimers();
    task.exec.tasks.delete(task);
    for (const token of task.token === undefined ? [] : [task.token, ...task.aliases]) {
      this.deps.tokens.close(token);
      task.exec.state.spentTokens.push(token);
    }
    if (task.position && task.exec.state.task === task.position) {
      task.exec.state.task = undefined;
      task.exec.changed();
    }
    return true;
  }
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
