/**
 * Shared by the store mutations (createStore, setStoreOpen, assignStaff), all served by
 * functions/manage-stores.ts: the request is the order mutations' (`{ field, input, caller }`,
 * lib/lambda-mutation.ts); the result is `{ ok: true, value }` or a typed error as data.
 * A thrown Lambda error is reported without its message: it may hold internal detail.
 */
import { util, type Context } from '@aws-appsync/utils';

export function storeMutationResult(ctx: Context): unknown {
  if (ctx.error) {
    util.error('The request could not be completed. Try again later.', 'InternalFailure');
  }
  const result = ctx.result;
  if (!result || result.ok !== true) {
    const error = result ? result.error : null;
    if (!error) util.error('The request could not be completed. Try again later.', 'InternalFailure');
    util.error(error.message, error.errorType, null, error.info);
  }
  return result.value;
}
