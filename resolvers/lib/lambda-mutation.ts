/**
 * Shared by the order and store mutations: send `{ field, input, caller }` to the field's Lambda and turn its
 * MutationResult (functions/lib/result.ts) into the field value or a typed GraphQL error. `caller`
 * is the verified user (`callerOf(ctx.identity)`: `{ sub, groups }`, or null without one); the
 * handler decides from it alone which party acts (functions/lib/event.ts parses it).
 * A thrown Lambda error is reported without its message: it may hold internal detail.
 */
import { util, type Context, type LambdaRequest } from '@aws-appsync/utils';
import { callerOf } from '../../domain/party.js';

export function invokeMutation(ctx: Context): LambdaRequest {
  return { operation: 'Invoke', payload: { field: ctx.info.fieldName, input: ctx.args.input, caller: callerOf(ctx.identity) } };
}

/** The order mutations' field value: the handler's `{ ok: true, order }`. */
export function mutationResult(ctx: Context): unknown {
  return okResult(ctx).order;
}

/** The store mutations' field value (functions/manage-stores.ts): `{ ok: true, value }`. */
export function storeMutationResult(ctx: Context): unknown {
  return okResult(ctx).value;
}

/** The handler's result when it is `ok`; otherwise its typed error, or InternalFailure without detail. */
function okResult(ctx: Context) {
  if (ctx.error) {
    util.error('The request could not be completed. Try again later.', 'InternalFailure');
  }
  const result = ctx.result;
  if (!result || result.ok !== true) {
    const error = result ? result.error : null;
    if (!error) util.error('The request could not be completed. Try again later.', 'InternalFailure');
    util.error(error.message, error.errorType, null, error.info);
  }
  return result;
}
