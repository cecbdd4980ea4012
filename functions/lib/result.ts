/**
 * What a mutation Lambda returns to its AppSync resolver. Domain errors travel as data, not as
 * thrown errors: AppSync reports every thrown Lambda error as `Lambda:Unhandled`, so a typed
 * `errorType` can only reach the client if the resolver raises it from a result like this.
 */
import { DomainError } from '../../domain/errors.js';
import type { PublicOrder } from '../../domain/order.js';

export type MutationResult =
  | { readonly ok: true; readonly order: PublicOrder }
  | {
      readonly ok: false;
      readonly error: { readonly errorType: string; readonly message: string; readonly info: unknown };
    };

export function success(order: PublicOrder): MutationResult {
  return { ok: true, order };
}

/**
 * Domain errors become typed results; anything else is rethrown so Lambda reports it (and
 * logs it) and AppSync surfaces a generic error without internal detail.
 */
export function failure(error: unknown): MutationResult {
  if (error instanceof DomainError) {
    return { ok: false, error: { errorType: error.errorType, message: error.message, info: error.info } };
  }
  throw error;
}
