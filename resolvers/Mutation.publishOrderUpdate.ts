/**
 * Mutation.publishOrderUpdate (IAM only) → NONE data source. Called by the stream publisher with
 * a whole public Order; its result is what @aws_subscribe delivers to onOrderUpdated.
 */
import { util, type Context, type NONERequest } from '@aws-appsync/utils';

export function request(ctx: Context<{ order: unknown }>): NONERequest {
  const raw = ctx.args.order;
  const order = typeof raw === 'string' ? JSON.parse(raw) : raw;
  // customerId, storeId and status are what subscribers' filters decide on (domain/party.ts).
  if (!order || typeof order.orderId !== 'string' || typeof order.storeId !== 'string' || typeof order.customerId !== 'string') {
    util.error('order: must be an Order object with orderId, customerId and storeId', 'ValidationError');
  }
  return { payload: order };
}

export function response(ctx: Context) {
  return ctx.result;
}
