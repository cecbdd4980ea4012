/** Query.getOrder → orders table (GetItem). A malformed id is a ValidationError, an unknown one null. */
import { util, type Context } from '@aws-appsync/utils';
import { get } from '@aws-appsync/utils/dynamodb';
import { publicOrder } from './lib/public-order.js';

export function request(ctx: Context<{ orderId: string }>) {
  const orderId = ctx.args.orderId;
  if (!util.matches('^[A-Za-z0-9_-]{1,64}$', orderId)) {
    util.error('orderId: must be 1–64 characters of letters, digits, "-" or "_"', 'ValidationError');
  }
  return get({ key: { orderId } });
}

export function response(ctx: Context) {
  if (ctx.error) util.error('The order could not be read. Try again later.', 'InternalFailure');
  return publicOrder(ctx.result);
}
