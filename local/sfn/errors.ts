/**
 * Errors of two worlds, kept apart:
 * - SfnApiError: what the Step Functions API answers to a caller (HTTP 400, `__type`).
 * - TaskFailedError: what a Task state fails with inside an execution; its `name` is the ASL
 *   error name, so `Retry`/`Catch` `ErrorEquals` match it (aws-local-stepfunctions matches on
 *   `error.name` and reports `error.message` as the `Cause`).
 */

/** Error codes of the Step Functions API this endpoint can answer with (the SDK's exception names). */
export type SfnErrorCode =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'InvalidArn'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidOutput'
  | 'InvalidToken'
  | 'StateMachineDoesNotExist'
  | 'TaskDoesNotExist'
  | 'TaskTimedOut'
  | 'ThrottlingException'
  | 'ValidationException'
  | 'SerializationException'
  | 'UnknownOperationException';

export class SfnApiError extends Error {
  override readonly name = 'SfnApiError';
  constructor(
    readonly code: SfnErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class TaskFailedError extends Error {
  constructor(
    /** The ASL error name, e.g. `OrderNotFound`, `Lambda.ServiceException`, `DynamoDB.ConditionalCheckFailedException`. */
    readonly error: string,
    /** The ASL cause (what `Catch` puts in `Cause`). */
    readonly errorCause: string,
    /** `false` for `States.Runtime`-like failures that AWS never retries nor catches. */
    private readonly recoverable = true,
  ) {
    super(errorCause);
  }
  override get name(): string {
    return this.error;
  }
  /** Read by aws-local-stepfunctions' Retry matcher. */
  get isRetryable(): boolean {
    return this.recoverable;
  }
  /** Read by aws-local-stepfunctions' Catch matcher. */
  get isCatchable(): boolean {
    return this.recoverable;
  }
}

/** A state machine definition this endpoint refuses to run (invalid ASL or an unsupported feature). */
export class DefinitionError extends Error {
  override readonly name = 'DefinitionError';
}

/** The `ErrorEquals` lists of one state's `Retry` and `Catch`, in order. */
export interface ErrorMatchers {
  readonly retry: readonly (readonly string[])[];
  readonly catch: readonly (readonly string[])[];
}

/**
 * `States.DataLimitExceeded`: a payload over the 256 KiB quota. AWS calls it a terminal error that
 * `States.ALL` does not catch; the stricter reading (AWS does not say) is that `States.TaskFailed`
 * does not either, so only a retrier or catcher naming it takes it. The library matches
 * `ErrorEquals` in order and stops at the first match (by name or wildcard), so the error lets
 * itself be matched only when that first match names it.
 */
export class DataLimitExceededError extends TaskFailedError {
  constructor(
    cause: string,
    private readonly matchers: ErrorMatchers = { retry: [], catch: [] },
  ) {
    super('States.DataLimitExceeded', cause);
  }
  override get isRetryable(): boolean {
    return firstMatchNames(this.matchers.retry, this.error);
  }
  override get isCatchable(): boolean {
    return firstMatchNames(this.matchers.catch, this.error);
  }
}

const WILDCARDS = ['States.ALL', 'States.TaskFailed'];

function firstMatchNames(lists: readonly (readonly string[])[], name: string): boolean {
  const first = lists.find((errors) => errors.includes(name) || errors.some((e) => WILDCARDS.includes(e)));
  return first?.includes(name) ?? false;
}
