/**
 * Named domain errors. `errorType` is what a GraphQL client branches on (AppSync's
 * `errors[].errorType`); the same names are the ASL error names a workflow Catch can match.
 * Messages are written for the caller: they never carry internal detail.
 */
export type DomainErrorType = 'ValidationError' | 'NotFound' | 'InvalidTransition' | 'Unauthorized' | 'IdempotencyConflict' | 'StoreClosed';

export abstract class DomainError extends Error {
  abstract readonly errorType: DomainErrorType;
  /** Extra facts a client may use (e.g. the field that failed validation). */
  readonly info: Readonly<Record<string, unknown>> | null;

  constructor(message: string, info: Readonly<Record<string, unknown>> | null = null) {
    super(message);
    this.info = info;
  }

  override get name(): string {
    return this.errorType;
  }
}

export class ValidationError extends DomainError {
  readonly errorType = 'ValidationError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`, { field });
  }
}

export class NotFoundError extends DomainError {
  readonly errorType = 'NotFound';
  constructor(what: string, id: string) {
    super(`${what} ${id} does not exist`, { id });
  }
}

export class InvalidTransitionError extends DomainError {
  readonly errorType = 'InvalidTransition';
  constructor(
    readonly orderId: string,
    readonly from: string,
    readonly action: string,
  ) {
    super(`order ${orderId} is ${from}: it cannot be ${action}`, { orderId, status: from });
  }
}

export class UnauthorizedError extends DomainError {
  readonly errorType = 'Unauthorized';
}

export class IdempotencyConflictError extends DomainError {
  readonly errorType = 'IdempotencyConflict';
  constructor(idempotencyKey: string) {
    super(`idempotencyKey ${idempotencyKey} was already used for a different order`, { idempotencyKey });
  }
}

/**
 * The one refusal for an order the caller may not see or act on, whether or not it exists: the
 * same message and info in both cases, so no caller learns that another party's order exists.
 */
export function orderNotYoursError(orderId: string): UnauthorizedError {
  return new UnauthorizedError(`order ${orderId} does not exist or is not yours`, { orderId });
}

/** A closed store takes no new orders (an operator closed it: setStoreOpen); placed orders go on. */
export class StoreClosedError extends DomainError {
  readonly errorType = 'StoreClosed';
  constructor(storeId: string) {
    super(`store ${storeId} is closed: it takes no new orders`, { storeId });
  }
}
