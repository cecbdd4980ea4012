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
